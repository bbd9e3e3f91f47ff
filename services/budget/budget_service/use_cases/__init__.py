"""The budget service's use cases, one module per group. Each public async function of a
group module is one use case: it checks the rules, writes, records an audit entry and commits
once, so an error anywhere rolls the whole use case back. `lookups`, `editing`, `documents` and
`results` hold what the use cases share; none of those commits."""
