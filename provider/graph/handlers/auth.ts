import type { AccessToken, TokenCredential } from "@azure/core-auth";
import { SignInError } from "../errors";
import { Handler } from "../pipeline";
import { rememberSecret } from "../secrets";

/** Refresh this long before expiry, so a token never dies in flight. */
const REFRESH_MARGIN_MS = 5 * 60_000;

/**
 * Holds the current access token: one sign-in at a time however many requests wait, a refresh ahead of expiry,
 * and a fresh credential when Graph rejects a token (MSAL would otherwise hand back the same cached one).
 */
export class TokenSource {
    private credential: TokenCredential | undefined;
    private current: AccessToken | undefined;
    private pending: Promise<AccessToken> | undefined;

    constructor(
        private readonly makeCredential: () => TokenCredential,
        private readonly scope: string,
        private readonly method: string,
    ) {}

    async token(): Promise<string> {
        const t = this.current;
        const refreshAt = t ? (t.refreshAfterTimestamp ?? t.expiresOnTimestamp - REFRESH_MARGIN_MS) : 0;
        if (t && Date.now() < refreshAt) return t.token;
        if (!this.pending) {
            this.pending = this.fetch().finally(() => {
                this.pending = undefined;
            });
        }
        return (await this.pending).token;
    }

    /**
     * Graph rejected `rejected`: forget it and the credential's cache, so the next token() signs in again. A 401 for
     * a token that was already replaced (or is being replaced) changes nothing: requests that were in flight with the
     * old token must not each sign in afresh.
     */
    invalidate(rejected: string): void {
        if (this.current !== undefined ? this.current.token !== rejected : this.pending !== undefined) return;
        this.current = undefined;
        this.credential = undefined;
    }

    private async fetch(): Promise<AccessToken> {
        this.credential ??= this.makeCredential();
        let token: AccessToken | null;
        try {
            token = await this.credential.getToken(this.scope);
        } catch (err) {
            throw new SignInError(this.method, err);
        }
        if (!token) throw new SignInError(this.method, new Error("the credential returned no token"));
        rememberSecret(token.token);
        this.current = token;
        return token;
    }
}

/** Adds the bearer token; on a 401, signs in afresh and resends once. */
export function bearerAuth(tokens: TokenSource): Handler {
    return async (req, next) => {
        let used = "";
        const send = async (): Promise<ReturnType<typeof next>> => {
            used = await tokens.token().catch((err: unknown) => {
                throw err instanceof SignInError ? err.during(req.operation) : err;
            });
            return next({ ...req, headers: { ...req.headers, Authorization: `Bearer ${used}` } });
        };
        const res = await send();
        if (res.status !== 401) return res;
        tokens.invalidate(used);
        return send();
    };
}
