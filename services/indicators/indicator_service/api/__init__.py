"""HTTP routes of the indicator service, one module per resource: thin (parse, authorise, call
one use case in use_cases/, shape the answer); queries live in repository/, rules in rules/."""
