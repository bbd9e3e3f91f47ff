/**
 * Never run: tsc checks that the generated types really are enforced. Each `@ts-expect-error`
 * line must fail to compile; if the API loosens so that one compiles, tsc reports the unused
 * directive and the build fails.
 */
import { createBudgetClient, getFollowUp } from "./budget.js";
import { createIndicatorClient } from "./indicators.js";

export async function typesAreEnforced(): Promise<void> {
  const budget = createBudgetClient("http://127.0.0.1:8001");
  const key = { municipality_code: "0580", board_code: "KS", budget_year: 2018 };

  // @ts-expect-error a tertial is "T1" | "T2" | "T3", not a number
  await getFollowUp(budget, key, 2);

  // @ts-expect-error the budget year is an integer path parameter, not a string
  await getFollowUp(budget, { ...key, budget_year: "2018" }, "T2");

  // @ts-expect-error no such path in the budget service
  await budget.GET("/v1/budgets/{municipality_code}/{board_code}/{budget_year}/forecast", {
    params: { path: key },
  });

  const follow = await budget.GET(
    "/v1/budgets/{municipality_code}/{board_code}/{budget_year}/follow-up/{tertial}",
    { params: { path: { ...key, tertial: "T2" } } },
  );
  if (follow.data) {
    // @ts-expect-error the follow-up has `total`, no `grand_total`
    console.log(follow.data.grand_total);
  }

  const indicators = createIndicatorClient("http://127.0.0.1:8002", "token");
  await indicators.POST(
    "/v1/registers/{municipality_code}/{board_code}/reports/{year}/{tertial}/composed/approval",
    {
      params: { path: { municipality_code: "0580", board_code: "KS", year: 2018, tertial: "T2" } },
      // @ts-expect-error an approval needs both decision_reference and reason
      body: { decision_reference: "KS 2018/123" },
    },
  );
}
