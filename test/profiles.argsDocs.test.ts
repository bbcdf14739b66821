import { expect } from "chai";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import * as ts from "typescript";
import { REPO_ROOT } from "../scripts/localPulumi";
import { jsDocOfTable } from "../scripts/propertyTables";

/**
 * The IDE shows each resource argument's description on hover: the Args types are mapped from the property
 * tables, and keep each property's JSDoc. Asked of TypeScript's own language service, as an editor asks it.
 */

const PROGRAM = join(REPO_ROOT, "test", "hover-program.ts");
const SOURCE = `import * as intune from "../provider";
const args: intune.AndroidDeviceOwnerEnrollmentProfileArgs = { displayName: "Kiosk", enrollmentMode: "corporateOwnedDedicatedDevice", wifiHidden: false };
const legacy: intune.AndroidForWorkEnrollmentProfileArgs = { displayName: "Legacy", tokenValidityDays: 30 };
void args; void legacy;
`;

function hover(word: string, occurrence = 0): string {
    const options: ts.CompilerOptions = {
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.Node16,
        moduleResolution: ts.ModuleResolutionKind.Node16,
        strict: true,
        skipLibCheck: true,
    };
    const host: ts.LanguageServiceHost = {
        getScriptFileNames: () => [PROGRAM],
        getScriptVersion: () => "1",
        getScriptSnapshot: (f) => {
            const text = f === PROGRAM ? SOURCE : existsSync(f) ? readFileSync(f, "utf8") : undefined;
            return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text);
        },
        getCurrentDirectory: () => REPO_ROOT,
        getCompilationSettings: () => options,
        getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
        fileExists: (f) => f === PROGRAM || existsSync(f),
        readFile: (f) => (f === PROGRAM ? SOURCE : existsSync(f) ? readFileSync(f, "utf8") : undefined),
    };
    const service = ts.createLanguageService(host);
    let at = -1;
    for (let i = 0; i <= occurrence; i++) at = SOURCE.indexOf(`${word}:`, at + 1);
    const info = service.getQuickInfoAtPosition(PROGRAM, at);
    return ts.displayPartsToString(info?.documentation ?? []);
}

describe("profiles: the resource arguments document themselves in the IDE", function () {
    this.timeout(60_000);

    it("shows each argument's description, the one the tables of docs/reference.md show, on hover", () => {
        const deviceOwner = jsDocOfTable("provider/profiles/kinds/androidDeviceOwner.ts", "ANDROID_DEVICE_OWNER_PROPERTIES");
        expect(hover("displayName")).to.equal(deviceOwner.get("displayName")).and.to.contain("The profile's name");
        expect(hover("enrollmentMode")).to.equal(deviceOwner.get("enrollmentMode"));
        expect(hover("wifiHidden")).to.equal(deviceOwner.get("wifiHidden"));
        expect(hover("tokenValidityDays")).to.equal(deviceOwner.get("tokenValidityDays")).and.to.not.equal("");
    });
});
