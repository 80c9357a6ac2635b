//! The forward pass of a BERT encoder (all-MiniLM-L6-v2: 6 layers, hidden 384, 12 heads,
//! feed-forward 1536, exact GELU, LayerNorm ε 1e-12) over weights read from `model.safetensors`,
//! with mean pooling and L2 normalisation as the sentence-transformers model prescribes.
//!
//! Plain Rust over `matrixmultiply`'s sgemm: the tokens of all sentences in a batch are stacked
//! into one matrix for the dense layers, and attention runs per sentence, so there is no padding.

use std::path::Path;

use safetensors::{Dtype, SafeTensors};

use crate::{Error, Result};

/// Width of the hidden states and of the sentence vectors.
pub const HIDDEN: usize = 384;
const LAYERS: usize = 6;
const HEADS: usize = 12;
const HEAD_DIM: usize = HIDDEN / HEADS;
const FEED_FORWARD: usize = 1536;
const MAX_POSITIONS: usize = 512;
const LAYER_NORM_EPS: f32 = 1e-12;

/// A dense layer: `weight` is `[out, in]` row-major, as PyTorch stores it.
struct Dense {
    weight: Vec<f32>,
    bias: Vec<f32>,
    inputs: usize,
    outputs: usize,
}

struct LayerNorm {
    gain: Vec<f32>,
    bias: Vec<f32>,
}

struct Layer {
    query: Dense,
    key: Dense,
    value: Dense,
    attention_out: Dense,
    attention_norm: LayerNorm,
    intermediate: Dense,
    output: Dense,
    output_norm: LayerNorm,
}

/// The encoder's weights, about 90 MB in memory.
pub struct Bert {
    word_embeddings: Vec<f32>,
    position_embeddings: Vec<f32>,
    token_type_embedding: Vec<f32>,
    embeddings_norm: LayerNorm,
    layers: Vec<Layer>,
    vocab_size: usize,
}

impl Bert {
    pub fn from_file(path: &Path) -> Result<Bert> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        let tensors = SafeTensors::deserialize(&bytes)
            .map_err(|e| Error::bad_input(path, 0, format!("unreadable safetensors: {e}")))?;
        let get = |name: &str, shape: &[usize]| -> Result<Vec<f32>> {
            let t = tensors
                .tensor(name)
                .map_err(|e| Error::bad_input(path, 0, format!("{name}: {e}")))?;
            if t.dtype() != Dtype::F32 || t.shape() != shape {
                return Err(Error::bad_input(
                    path,
                    0,
                    format!(
                        "{name}: expected f32 {shape:?}, found {:?} {:?}",
                        t.dtype(),
                        t.shape()
                    ),
                ));
            }
            Ok(t.data()
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect())
        };
        let dense = |name: &str, outputs: usize, inputs: usize| -> Result<Dense> {
            Ok(Dense {
                weight: get(&format!("{name}.weight"), &[outputs, inputs])?,
                bias: get(&format!("{name}.bias"), &[outputs])?,
                inputs,
                outputs,
            })
        };
        let norm = |name: &str| -> Result<LayerNorm> {
            Ok(LayerNorm {
                gain: get(&format!("{name}.weight"), &[HIDDEN])?,
                bias: get(&format!("{name}.bias"), &[HIDDEN])?,
            })
        };
        let vocab_size = tensors
            .tensor("embeddings.word_embeddings.weight")
            .map_err(|e| Error::bad_input(path, 0, e.to_string()))?
            .shape()[0];
        let mut layers = Vec::with_capacity(LAYERS);
        for i in 0..LAYERS {
            let p = format!("encoder.layer.{i}");
            layers.push(Layer {
                query: dense(&format!("{p}.attention.self.query"), HIDDEN, HIDDEN)?,
                key: dense(&format!("{p}.attention.self.key"), HIDDEN, HIDDEN)?,
                value: dense(&format!("{p}.attention.self.value"), HIDDEN, HIDDEN)?,
                attention_out: dense(&format!("{p}.attention.output.dense"), HIDDEN, HIDDEN)?,
                attention_norm: norm(&format!("{p}.attention.output.LayerNorm"))?,
                intermediate: dense(&format!("{p}.intermediate.dense"), FEED_FORWARD, HIDDEN)?,
                output: dense(&format!("{p}.output.dense"), HIDDEN, FEED_FORWARD)?,
                output_norm: norm(&format!("{p}.output.LayerNorm"))?,
            });
        }
        let token_types = get("embeddings.token_type_embeddings.weight", &[2, HIDDEN])?;
        Ok(Bert {
            word_embeddings: get("embeddings.word_embeddings.weight", &[vocab_size, HIDDEN])?,
            position_embeddings: get(
                "embeddings.position_embeddings.weight",
                &[MAX_POSITIONS, HIDDEN],
            )?,
            token_type_embedding: token_types[..HIDDEN].to_vec(),
            embeddings_norm: norm("embeddings.LayerNorm")?,
            layers,
            vocab_size,
        })
    }

    /// Unit-length sentence vectors (mean of the last hidden states over all tokens, special
    /// tokens included) for sentences given as token ids, each at most 512 long.
    pub fn embed(&self, sentences: &[Vec<u32>]) -> Vec<Vec<f32>> {
        let spans: Vec<(usize, usize)> = sentences
            .iter()
            .scan(0, |start, s| {
                let span = (*start, s.len().min(MAX_POSITIONS));
                *start += span.1;
                Some(span)
            })
            .collect();
        let rows: usize = spans.iter().map(|s| s.1).sum();
        let mut x = vec![0f32; rows * HIDDEN];
        for (s, &(start, len)) in sentences.iter().zip(&spans) {
            for (pos, &id) in s.iter().take(len).enumerate() {
                let id = (id as usize).min(self.vocab_size - 1);
                let row = &mut x[(start + pos) * HIDDEN..(start + pos + 1) * HIDDEN];
                let word = &self.word_embeddings[id * HIDDEN..(id + 1) * HIDDEN];
                let position = &self.position_embeddings[pos * HIDDEN..(pos + 1) * HIDDEN];
                for k in 0..HIDDEN {
                    row[k] = word[k] + position[k] + self.token_type_embedding[k];
                }
            }
        }
        layer_norm(&mut x, &self.embeddings_norm);
        for layer in &self.layers {
            x = layer.forward(&x, rows, &spans);
        }
        spans
            .iter()
            .map(|&(start, len)| {
                let mut v = vec![0f32; HIDDEN];
                for r in start..start + len {
                    for (acc, h) in v.iter_mut().zip(&x[r * HIDDEN..(r + 1) * HIDDEN]) {
                        *acc += h;
                    }
                }
                let norm = v.iter().map(|a| a * a).sum::<f32>().sqrt().max(1e-12);
                v.iter_mut().for_each(|a| *a /= norm);
                v
            })
            .collect()
    }
}

impl Layer {
    fn forward(&self, x: &[f32], rows: usize, spans: &[(usize, usize)]) -> Vec<f32> {
        let q = self.query.apply(x, rows);
        let k = self.key.apply(x, rows);
        let v = self.value.apply(x, rows);
        let mut context = vec![0f32; rows * HIDDEN];
        let scale = 1.0 / (HEAD_DIM as f32).sqrt();
        let mut scores = Vec::new();
        for &(start, len) in spans {
            scores.resize(len * len, 0.0);
            for h in 0..HEADS {
                let at = start * HIDDEN + h * HEAD_DIM;
                // scores = Q_h · K_hᵀ, both [len, HEAD_DIM] with row stride HIDDEN.
                unsafe {
                    matrixmultiply::sgemm(
                        len,
                        HEAD_DIM,
                        len,
                        scale,
                        q[at..].as_ptr(),
                        HIDDEN as isize,
                        1,
                        k[at..].as_ptr(),
                        1,
                        HIDDEN as isize,
                        0.0,
                        scores.as_mut_ptr(),
                        len as isize,
                        1,
                    );
                }
                for row in scores.chunks_exact_mut(len) {
                    let max = row.iter().cloned().fold(f32::NEG_INFINITY, f32::max);
                    let mut sum = 0.0;
                    for s in row.iter_mut() {
                        *s = (*s - max).exp();
                        sum += *s;
                    }
                    row.iter_mut().for_each(|s| *s /= sum);
                }
                // context_h = scores · V_h.
                unsafe {
                    matrixmultiply::sgemm(
                        len,
                        len,
                        HEAD_DIM,
                        1.0,
                        scores.as_ptr(),
                        len as isize,
                        1,
                        v[at..].as_ptr(),
                        HIDDEN as isize,
                        1,
                        0.0,
                        context[at..].as_mut_ptr(),
                        HIDDEN as isize,
                        1,
                    );
                }
            }
        }
        let mut attended = self.attention_out.apply(&context, rows);
        attended.iter_mut().zip(x).for_each(|(a, x)| *a += x);
        layer_norm(&mut attended, &self.attention_norm);
        let mut inner = self.intermediate.apply(&attended, rows);
        inner.iter_mut().for_each(|a| *a = gelu(*a));
        let mut out = self.output.apply(&inner, rows);
        out.iter_mut().zip(&attended).for_each(|(a, x)| *a += x);
        layer_norm(&mut out, &self.output_norm);
        out
    }
}

/// Up to this many rows (tokens), a dense layer multiplies row by row instead of calling sgemm:
/// sgemm repacks the whole weight matrix on every call, which for one short query costs more
/// than the product (a 10-token title: 21 ms per full search with sgemm everywhere).
const DIRECT_ROWS: usize = 32;

impl Dense {
    /// `x · Wᵀ + b` for `rows` rows of `x`.
    fn apply(&self, x: &[f32], rows: usize) -> Vec<f32> {
        debug_assert_eq!(x.len(), rows * self.inputs);
        if rows <= DIRECT_ROWS {
            return self.apply_direct(x, rows);
        }
        let mut out = Vec::with_capacity(rows * self.outputs);
        for _ in 0..rows {
            out.extend_from_slice(&self.bias);
        }
        // SAFETY: the pointers cover rows × inputs, outputs × inputs and rows × outputs floats,
        // as the strides given describe.
        unsafe {
            matrixmultiply::sgemm(
                rows,
                self.inputs,
                self.outputs,
                1.0,
                x.as_ptr(),
                self.inputs as isize,
                1,
                self.weight.as_ptr(),
                1,
                self.inputs as isize,
                1.0,
                out.as_mut_ptr(),
                self.outputs as isize,
                1,
            );
        }
        out
    }
}

impl Dense {
    /// `x · Wᵀ + b` weight row by weight row: each row of W is read once and meets every row of
    /// `x` while it is in cache.
    fn apply_direct(&self, x: &[f32], rows: usize) -> Vec<f32> {
        let mut out = vec![0f32; rows * self.outputs];
        for (o, w) in self.weight.chunks_exact(self.inputs).enumerate() {
            for (r, xr) in x.chunks_exact(self.inputs).enumerate() {
                out[r * self.outputs + o] = super::dot(xr, w) + self.bias[o];
            }
        }
        out
    }
}

fn layer_norm(x: &mut [f32], norm: &LayerNorm) {
    for row in x.chunks_exact_mut(HIDDEN) {
        let mean = row.iter().sum::<f32>() / HIDDEN as f32;
        let var = row.iter().map(|a| (a - mean) * (a - mean)).sum::<f32>() / HIDDEN as f32;
        let inv = 1.0 / (var + LAYER_NORM_EPS).sqrt();
        for (k, a) in row.iter_mut().enumerate() {
            *a = (*a - mean) * inv * norm.gain[k] + norm.bias[k];
        }
    }
}

/// GELU with the error function, as BERT's `gelu` (not the tanh approximation).
fn gelu(x: f32) -> f32 {
    0.5 * x * (1.0 + erf(x / std::f32::consts::SQRT_2))
}

/// The error function (the standard library has none): Numerical Recipes' Chebyshev fit of
/// `erfc`, fractional error below 1.2e-7 everywhere, far below what f32 weights carry.
fn erf(x: f32) -> f32 {
    let z = f64::from(x.abs());
    let t = 1.0 / (1.0 + 0.5 * z);
    let erfc = t
        * (-z * z - 1.265_512_23
            + t * (1.000_023_68
                + t * (0.374_091_96
                    + t * (0.096_784_18
                        + t * (-0.186_288_06
                            + t * (0.278_868_07
                                + t * (-1.135_203_98
                                    + t * (1.488_515_87
                                        + t * (-0.822_152_23 + t * 0.170_872_77)))))))))
            .exp();
    let r = (1.0 - erfc) as f32;
    if x >= 0.0 {
        r
    } else {
        -r
    }
}
