"""HTTP routes of the procurement service: thin (parse, authorise, call one use case in
use_cases/, shape the answer); rules live in rules/, queries in repository/."""
