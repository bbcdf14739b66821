import { expect } from "chai";
import { trace } from "../../provider/graph/handlers/trace";
import { GraphRequest } from "../../provider/graph/pipeline";
import { redactBody, rememberSecret, scrub } from "../../provider/graph/secrets";

/** The one scrubber every message, trace and error passes through before it leaves the provider. */

describe("unit: secrets are scrubbed from every text that leaves the provider", () => {
    it("replaces every secret it has seen, wherever it appears, however often", () => {
        rememberSecret("enrollment-token-1234567890");
        const text = 'failed for "enrollment-token-1234567890" (again: enrollment-token-1234567890)';
        expect(scrub(text)).to.equal('failed for "[redacted]" (again: [redacted])');
    });

    it("removes a secret that contains another one whole, not in pieces", () => {
        rememberSecret("wifi-pass");
        rememberSecret("wifi-pass-and-more");
        expect(scrub("x wifi-pass-and-more y")).to.equal("x [redacted] y");
    });

    it('leaves strings under 5 characters alone ("0", "true", a year would scrub innocent text)', () => {
        rememberSecret("true");
        rememberSecret("2026");
        expect(scrub("validationSucceeded true, expired on 2026-12-01")).to.equal("validationSucceeded true, expired on 2026-12-01");
    });

    it("scrubs a secret of 5 characters (a WEP-40 key) where it stands whole, not inside a word", () => {
        rememberSecret("Ab1#z");
        expect(scrub("Invalid Wi-Fi passphrase 'Ab1#z'.")).to.equal("Invalid Wi-Fi passphrase '[redacted]'.");
        expect(scrub("key=Ab1#z; xAb1#zy")).to.equal("key=[redacted]; xAb1#zy");
    });

    it("scrubs a short secret in a body's strings before the body is written as JSON (a trace)", () => {
        rememberSecret("Zq9!w");
        const traced = JSON.stringify(redactBody({ error: { message: "Invalid Wi-Fi passphrase:\nZq9!w" } }));
        expect(traced).to.not.contain("Zq9!w");
        expect(traced).to.contain("[redacted]");
    });

    it("redacts bearer tokens, JWTs, secret JSON fields and form fields it has never seen", () => {
        expect(scrub("Authorization: Bearer abc.def-ghi")).to.equal("Authorization: Bearer [redacted]");
        expect(scrub("token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.sig")).to.equal("token [redacted-jwt]");
        expect(scrub('{"tokenValue":"A1B2C3D4","displayName":"Kiosk","qrCodeImage":{"type":"image/png","value":"iVBOR"}}')).to.equal(
            '{"tokenValue":"[redacted]","displayName":"Kiosk","qrCodeImage":"[redacted]"}',
        );
        expect(scrub("grant_type=client_credentials&client_secret=s3cr3t&scope=x")).to.equal("grant_type=client_credentials&client_secret=[redacted]&scope=x");
    });

    it("redacts secret fields of a Graph body for a trace, at any depth, and keeps the rest", () => {
        expect(redactBody({ value: [{ id: "1", tokenValue: "A1B2C3D4", wifiPassword: null }], displayName: "K" })).to.deep.equal({
            value: [{ id: "1", tokenValue: "[redacted]", wifiPassword: null }],
            displayName: "K",
        });
        // The tenant's settings, should the service ignore $select: its company codes' tokens.
        expect(redactBody({ bindStatus: "bound", companyCodes: [{ enrollmentToken: "XK12PQ", qrCodeContent: "{}" }] })).to.deep.equal({
            bindStatus: "bound",
            companyCodes: [{ enrollmentToken: "[redacted]", qrCodeContent: "[redacted]" }],
        });
    });
});

describe("unit: the debug trace", () => {
    it("scrubs a short secret out of a body's strings but leaves its numbers as they are", async () => {
        // Secrets are remembered for the whole process: one no other test's text holds.
        rememberSecret("77177");
        const lines: string[] = [];
        const req: GraphRequest = {
            operation: { description: "Updating", kind: "write" },
            method: "PATCH",
            url: "https://graph.microsoft.com/beta/x",
            headers: { "client-request-id": "c1" },
            body: { wifiHidden: false, tokenValidityInSeconds: 77177, description: "key: 77177" },
            nonIdempotent: false,
            attempt: 1,
        };
        await trace((line) => lines.push(line))(req, async () => ({ status: 204, headers: {}, body: undefined }));
        expect(lines[0]).to.contain('{"wifiHidden":false,"tokenValidityInSeconds":77177,"description":"key: [redacted]"}');
    });
});
