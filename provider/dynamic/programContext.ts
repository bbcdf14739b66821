import * as pulumi from "@pulumi/pulumi";
import { programSettings } from "../runtime/configuration";
import { ProfileContext, profileContext } from "../profiles/context";

/** The context a lookup runs in from the program's own process: the program's `intune:*` config, resolved as the host resolves it. */
export async function programContext(): Promise<ProfileContext> {
    const config = new pulumi.Config("intune");
    return profileContext(
        await programSettings({ get: (key) => config.get(key.replace(/^intune:/, "")), keys: () => Object.keys(pulumi.runtime.allConfig()) }),
    );
}
