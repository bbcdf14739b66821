import * as pulumi from "@pulumi/pulumi";
import { providerText } from "./hostClient";

/**
 * A Pulumi program run under `pulumi.runtime.setMocks`, in a process of its own (mocks are global to the process):
 * it declares one resource of each profile type and prints, as JSON on stdout, what the SDK registered (type, name,
 * URN, the `__provider` input) next to the text `providerText` makes, so a test can compare them.
 */

export interface MockProgramReport {
    registered: { type: string; name: string; provider: unknown; urn: unknown }[];
    urns: string[];
    serialized: { deviceOwner: string; forWork: string };
}

async function main(): Promise<void> {
    const registered: MockProgramReport["registered"] = [];
    await pulumi.runtime.setMocks(
        {
            newResource: (args) => {
                registered.push({ type: args.type, name: args.name, provider: args.inputs.__provider, urn: args.inputs.__urn });
                return { id: `${args.name}-id`, state: args.inputs };
            },
            call: (args) => args.inputs,
        },
        "intune-test",
        "test",
        false,
    );
    // Loaded after the mocks are in place, as a program's imports would be.
    const intune: typeof import("../../provider") = require("../../provider");
    const kiosk = new intune.AndroidDeviceOwnerEnrollmentProfile("kiosk", {
        displayName: "Warehouse scanners",
        enrollmentMode: "corporateOwnedDedicatedDevice",
        tokenValidityDays: 90,
        renewTokenWithinDays: 14,
        roleScopeTagIds: ["0"],
    });
    const legacy = new intune.AndroidForWorkEnrollmentProfile("legacy", { displayName: "COSU legacy" });
    const urns = await Promise.all([kiosk.urn, legacy.urn].map((urn) => new Promise<string>((resolve) => urn.apply(resolve))));
    const report: MockProgramReport = {
        registered,
        urns,
        serialized: {
            deviceOwner: providerText("androidDeviceOwnerEnrollmentProfile"),
            forWork: providerText("androidForWorkEnrollmentProfile"),
        },
    };
    process.stdout.write(JSON.stringify(report));
}

if (require.main === module) {
    main().catch((err) => {
        process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
        process.exit(1);
    });
}
