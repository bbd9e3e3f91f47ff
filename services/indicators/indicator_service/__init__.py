"""Indicator service: the indicator register, targets of every kind and goal fulfilment per
tertial, and the composed tertial report that reads the budget and procurement services."""
