/** Typed client for the budget service: the budget document and the tertial follow-up. */
import createClient, { type Client } from "openapi-fetch";
import type { components, paths } from "../generated/budget.js";
import { authHeaders, ProblemError } from "./problem.js";

export type BudgetClient = Client<paths>;
export type Tertial = components["schemas"]["Tertial"];
/** Path parameters of one board's budget for a year, exactly as the API declares them. */
export type BudgetKey =
  paths["/v1/budgets/{municipality_code}/{board_code}/{budget_year}"]["get"]["parameters"]["path"];

export function createBudgetClient(baseUrl: string, token?: string): BudgetClient {
  return createClient<paths>({ baseUrl, headers: authHeaders(token) });
}

export interface BudgetSummary {
  title: string;
  phase: components["schemas"]["Phase"];
  decided: boolean;
  /** Send as If-Match when changing this version. */
  etag: string;
  /** Net cost per year, thousand SEK (tkr), keyed by year. */
  proposalTotal: Record<string, number>;
  activityAreas: { code: string; name: string; total: Record<string, number> }[];
}

/** The board's budget document for a year: its current version and the proposal totals. */
export async function getBudget(client: BudgetClient, key: BudgetKey): Promise<BudgetSummary> {
  const { data, error } = await client.GET(
    "/v1/budgets/{municipality_code}/{board_code}/{budget_year}",
    { params: { path: key } },
  );
  if (error) throw new ProblemError(error);
  return {
    title: data.title,
    phase: data.version.phase,
    decided: data.version.status === "decided",
    etag: data.version.etag,
    proposalTotal: data.proposal.total,
    activityAreas: data.proposal.activity_areas.map((area) => ({
      code: area.code,
      name: area.name,
      total: area.total,
    })),
  };
}

export interface FollowUpSummary {
  reported: boolean;
  periodEnd: string;
  /** Budget frame in tkr (whole thousands). */
  budget: number;
  /** Exact decimals as strings; null while not reported. */
  outcomeToDate: string | null;
  fullYearForecast: string | null;
  deviation: string | null;
  rows: { code: string; name: string; deviation: string | null }[];
}

/** The tertial follow-up: outcome to date and full-year forecast against the budget frame. */
export async function getFollowUp(
  client: BudgetClient,
  key: BudgetKey,
  tertial: Tertial,
): Promise<FollowUpSummary> {
  const { data, error } = await client.GET(
    "/v1/budgets/{municipality_code}/{board_code}/{budget_year}/follow-up/{tertial}",
    { params: { path: { ...key, tertial } } },
  );
  if (error) throw new ProblemError(error);
  return {
    reported: data.reported,
    periodEnd: data.period_end,
    budget: data.total.budget,
    outcomeToDate: data.total.outcome_to_date,
    fullYearForecast: data.total.full_year_forecast,
    deviation: data.total.deviation,
    rows: data.rows.map((row) => ({
      code: row.activity_area_code,
      name: row.activity_area_name,
      deviation: row.deviation,
    })),
  };
}
