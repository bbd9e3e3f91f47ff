/**
 * What every service answers with on an error: RFC 9457 problem+json (the `Problem` schema
 * in each OpenAPI document). The generated `Problem` types must stay assignable to this.
 */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string | null;
  request_id: string | null;
}

/** Thrown by the client functions when a service answers with a problem. */
export class ProblemError extends Error {
  readonly problem: Problem;

  constructor(problem: Problem) {
    super(`${problem.status} ${problem.title}${problem.detail ? `: ${problem.detail}` : ""}`);
    this.name = "ProblemError";
    this.problem = problem;
  }
}

/** `Authorization: Bearer ...` when a token is given (writes need one; reads usually do not). */
export function authHeaders(token?: string): Record<string, string> {
  return token ? { Authorization: `Bearer ${token}` } : {};
}
