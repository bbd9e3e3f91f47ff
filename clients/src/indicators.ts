/** Typed client for the indicator service: the tertial report and the composed report. */
import createClient, { type Client } from "openapi-fetch";
import type { components, paths } from "../generated/indicators.js";
import { authHeaders, ProblemError } from "./problem.js";

export type IndicatorClient = Client<paths>;
type ReportPath = "/v1/registers/{municipality_code}/{board_code}/reports/{year}/{tertial}";
/** Register, year and tertial of a report, exactly as the API declares them. */
export type ReportKey = paths[ReportPath]["get"]["parameters"]["path"];
export type Approval = components["schemas"]["ApprovalIn"];

export function createIndicatorClient(baseUrl: string, token?: string): IndicatorClient {
  return createClient<paths>({ baseUrl, headers: authHeaders(token) });
}

export interface GoalFulfilment {
  key: string;
  title: string;
  /** Indicators per fulfilment status: met, partly_met, not_met, not_assessable. */
  counts: Record<string, number>;
  assessable: number;
  /** Exact decimal share of the assessable indicators that met their target; null if none. */
  shareMet: string | null;
}

export interface TertialReportSummary {
  period: string;
  overall: GoalFulfilment;
  councilGoals: GoalFulfilment[];
  indicators: { code: string; name: string; status: components["schemas"]["Fulfilment"] }[];
}

function fulfilment(rollUp: components["schemas"]["RollUpOut"]): GoalFulfilment {
  return {
    key: rollUp.key,
    title: rollUp.title,
    counts: rollUp.counts,
    assessable: rollUp.assessable,
    shareMet: rollUp.share_met,
  };
}

/** Goal fulfilment per indicator for a tertial, rolled up per council goal and overall. */
export async function getTertialReport(
  client: IndicatorClient,
  key: ReportKey,
): Promise<TertialReportSummary> {
  const { data, error } = await client.GET(
    "/v1/registers/{municipality_code}/{board_code}/reports/{year}/{tertial}",
    { params: { path: key } },
  );
  if (error) throw new ProblemError(error);
  return {
    period: data.period,
    overall: fulfilment(data.overall),
    councilGoals: data.council_goals.map(fulfilment),
    indicators: data.rows.map((row) => ({
      code: row.indicator.code,
      name: row.indicator.name,
      status: row.evaluation.status,
    })),
  };
}

export interface ComposedReportSummary {
  approved: boolean;
  /** Per section (budget, indicators, procurement, ...): whether its source answered. */
  sections: Record<string, { source: string; status: string; retrievedAt: string }>;
  /** What changed in the sources since the report was approved (JSON paths). */
  changedSinceApproval: string[];
}

/** The composed report as served: each section available (with its typed document) or not. */
export type ComposedReport = components["schemas"]["ComposedReportDocument"];

function composedSummary(report: ComposedReport): ComposedReportSummary {
  return {
    approved: report.approved,
    sections: Object.fromEntries(
      Object.entries(report.sections).map(([name, section]) => [
        name,
        { source: section.source, status: section.status, retrievedAt: section.retrieved_at },
      ]),
    ),
    changedSinceApproval: report.changes_since_approval.map((change) => change.path),
  };
}

/** The tertial report composed from all three services (frozen once approved). */
export async function getComposedReport(
  client: IndicatorClient,
  key: ReportKey,
): Promise<ComposedReportSummary> {
  const { data, error } = await client.GET(
    "/v1/registers/{municipality_code}/{board_code}/reports/{year}/{tertial}/composed",
    { params: { path: key }, headers: { Accept: "application/json" } },
  );
  if (error) throw new ProblemError(error);
  // The route also serves the report as a page, PDF or spreadsheet; JSON was asked for.
  if (typeof data === "string") throw new TypeError("expected the JSON report");
  return composedSummary(data);
}

/** Approve the composed report (scope `reports:approve`); it is frozen from then on. */
export async function approveComposedReport(
  client: IndicatorClient,
  key: ReportKey,
  approval: Approval,
): Promise<ComposedReportSummary> {
  const { data, error } = await client.POST(
    "/v1/registers/{municipality_code}/{board_code}/reports/{year}/{tertial}/composed/approval",
    { params: { path: key }, body: approval },
  );
  if (error) throw new ProblemError(error);
  return composedSummary(data);
}
