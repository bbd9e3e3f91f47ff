"""Every query of the budget service, one module per aggregate. Nothing here commits (the use
case does, once); totals are GROUP BYs in the database."""
