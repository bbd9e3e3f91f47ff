"""HTTP routes of the budget service, one module per resource. Thin: parse, authorise, call one
use case (use_cases/), shape the answer."""
