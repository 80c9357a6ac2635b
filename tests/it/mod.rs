mod app;
mod eligibility_api;
mod incentives;
mod offers;
