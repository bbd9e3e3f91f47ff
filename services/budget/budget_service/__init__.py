"""Budget service: the budget frame from directive to decision, investments and tertial
follow-up, one board and budget year per budget."""
