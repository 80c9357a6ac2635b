mod incentives;
