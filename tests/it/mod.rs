mod api;
mod incentives;
mod loaders;
mod search;
mod smoke;
mod support;
