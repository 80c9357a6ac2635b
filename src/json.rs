//! How numbers look in the JSON the API and the CLI write.

use serde::Serializer;

/// Serializes an `f32` score or confidence with three decimals, all that they distinguish, as an
/// `f64`: written through a `serde_json::Value`, a bare `f32` would show as `0.1860000044107437`
/// rather than `0.186`.
pub fn three_decimals<S: Serializer>(x: &f32, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_f64((f64::from(*x) * 1000.0).round() / 1000.0)
}
