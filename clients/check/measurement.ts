/**
 * Reads a tertial measurement from a running procurement service through the generated
 * client and prints what it read as JSON (tests/test_generated_clients.py runs it with node
 * and compares it with the service's own answer). Usage: node dist/check/measurement.js URL TOKEN
 */
import { createProcurementClient, getTertialMeasurement } from "../src/procurement.js";

declare const process: { argv: string[] }; // node's, without pulling in @types/node

const [baseUrl, token] = process.argv.slice(2);
if (!baseUrl) throw new Error("usage: measurement.js BASE_URL [TOKEN]");
const client = createProcurementClient(baseUrl, token);
const summary = await getTertialMeasurement(client, "0580", 2018, "T2");
const { competition, size_classes: sizes } = summary.measurement;
console.log(
  JSON.stringify({
    period: summary.period,
    procurements: competition.procurements,
    bidders: competition.bidders.value,
    smeShareOfBidders: summary.smeShareOfBidders,
    smeBidders: sizes.bidders_by_class["sme"]?.value ?? null,
    measurement: summary.measurement,
  }),
);
