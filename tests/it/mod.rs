mod crosswalk;
mod incentives;
