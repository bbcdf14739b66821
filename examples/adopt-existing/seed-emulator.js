// @ts-check
/**
 * `npm run seed`: plays the Intune admin who made profiles in the portal before this stack existed. It writes them
 * into the embedded Graph emulator's store, the `.intune-emulator/` folder beside this program that the provider
 * uses when the stack sets intune:emulator, so that `pulumi up` has something to adopt. Running it again changes nothing.
 *
 * Against a real tenant, skip it: the profiles are the ones in the Intune portal
 * (Devices > Android > Enrollment), and their ids are in the portal's URLs.
 */
const path = require("node:path");
const { startEmulator } = require("pulumi-intune-enrollment/dist/emulator");

/** @type {{ collection: "androidDeviceOwnerEnrollmentProfiles" | "androidForWorkEnrollmentProfiles"; fields: Record<string, unknown> }[]} */
const PORTAL_PROFILES = [
    {
        collection: "androidDeviceOwnerEnrollmentProfiles",
        fields: { displayName: "Front desk tablets", description: "Made in the portal", enrollmentMode: "corporateOwnedDedicatedDevice" },
    },
    {
        collection: "androidForWorkEnrollmentProfiles",
        fields: { displayName: "Legacy COSU (made in the portal)", description: "Made in the portal" },
    },
    {
        collection: "androidDeviceOwnerEnrollmentProfiles",
        fields: {
            displayName: "Shared devices (Entra shared mode)",
            enrollmentMode: "corporateOwnedDedicatedDevice",
            enrollmentTokenType: "corporateOwnedDedicatedDeviceWithAzureADSharedMode",
        },
    },
];

async function main() {
    const dir = path.resolve(process.env.INTUNE_EMULATOR_DIR ?? ".intune-emulator");
    const emulator = await startEmulator({ stateFile: path.join(dir, "state.json"), tlsDir: path.join(dir, "tls") });
    try {
        for (const { collection, fields } of PORTAL_PROFILES) {
            const existing = emulator.profiles(collection).find((p) => p.displayName === fields.displayName);
            const profile = existing ?? (await emulator.createInPortal(collection, fields));
            console.log(`${existing ? "exists " : "created"}  ${profile.id}  ${String(fields.displayName)}`);
        }
        const frontDesk = emulator.profiles("androidDeviceOwnerEnrollmentProfiles").find((p) => p.displayName === "Front desk tablets");
        console.log(`\nNow:\n  pulumi config set frontDeskProfileId ${String(frontDesk?.id)}\n  pulumi up`);
    } finally {
        await emulator.stop();
    }
}

main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
});
