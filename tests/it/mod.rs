mod incentives;
mod tag;
