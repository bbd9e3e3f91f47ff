/** Typed client for the procurement service: tender outcomes in, tertial measurement out. */
import createClient, { type Client } from "openapi-fetch";
import type { components, paths } from "../generated/procurement.js";
import { authHeaders, ProblemError } from "./problem.js";

export type ProcurementClient = Client<paths>;
export type Tertial = components["schemas"]["Tertial"];
export type ProcurementOutcome = components["schemas"]["ProcurementPut"];
type MeasurementPath = "/v1/measurements/{municipality_code}/{year}/{tertial}";
export type MeasurementQuery = NonNullable<paths[MeasurementPath]["get"]["parameters"]["query"]>;
/** The measurement as served: the shared contract `ProcurementMeasurement`. */
export type Measurement = components["schemas"]["ProcurementMeasurement"];

export function createProcurementClient(baseUrl: string, token?: string): ProcurementClient {
  return createClient<paths>({ baseUrl, headers: authHeaders(token) });
}

export interface StoredProcurement {
  /** True when this PUT created it (201), false when it replaced a stored one (200). */
  created: boolean;
  status: components["schemas"]["Status"];
  /** Data-quality warnings the service found in the outcome, by code. */
  warnings: string[];
  updatedAt: string;
}

/** Store a tender outcome by the buyer's reference (idempotent; scope `procurement:write`). */
export async function putProcurement(
  client: ProcurementClient,
  municipalityCode: string,
  reference: string,
  outcome: ProcurementOutcome,
): Promise<StoredProcurement> {
  const { data, error, response } = await client.PUT(
    "/v1/procurements/{municipality_code}/{reference}",
    { params: { path: { municipality_code: municipalityCode, reference } }, body: outcome },
  );
  if (error) throw new ProblemError(error);
  return {
    created: response.status === 201,
    status: data.status,
    warnings: data.warnings.map((warning) => warning.code),
    updatedAt: data.updated_at,
  };
}

export interface MeasurementSummary {
  period: string;
  start: string;
  end: string;
  administration: string | null;
  /** Exact decimals as strings; null is "no data" (nothing qualified), never zero.
   * The SME share among bidders of known size: the figure the register receives. */
  smeShareOfBidders: string | null;
  singleBidderShare: string | null;
  employmentRequirementSetAndSigned: number | null;
  measurement: Measurement;
}

/** SME and employment-requirement figures for a tertial (cumulative from January). */
export async function getTertialMeasurement(
  client: ProcurementClient,
  municipalityCode: string,
  year: number,
  tertial: Tertial,
  query: MeasurementQuery = {},
): Promise<MeasurementSummary> {
  const { data, error } = await client.GET("/v1/measurements/{municipality_code}/{year}/{tertial}", {
    params: { path: { municipality_code: municipalityCode, year, tertial }, query },
  });
  if (error) throw new ProblemError(error);
  return {
    period: data.period,
    start: data.start,
    end: data.end,
    administration: data.administration,
    smeShareOfBidders: data.size_classes.sme_share_of_bidders_with_known_size.value,
    singleBidderShare: data.competition.single_bidder_share.value,
    employmentRequirementSetAndSigned:
      data.employment_requirement.set_and_contract_signed.value,
    measurement: data,
  };
}
