import { RequestBudget } from "../budget";
import { Handler } from "../pipeline";

/** Waits for room in the shared budget before each send, and tells it when the answer came. */
export function budgeted(budget: RequestBudget): Handler {
    return async (req, next) => {
        const done = await budget.acquire(req.method === "GET" ? "read" : "write");
        try {
            return await next(req);
        } finally {
            done();
        }
    };
}
