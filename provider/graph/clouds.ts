/** Microsoft's national clouds: where Graph lives, where sign-in happens, and what scope a token is asked for. */

export type CloudName = "global" | "usgovL4" | "usgovL5" | "china";

export interface Cloud {
    name: CloudName;
    graphRoot: string;
    authorityHost: string;
    scope: string;
    /** AOSP enrollment modes are not offered in 21Vianet's cloud. */
    supportsAosp: boolean;
}

export const CLOUDS: Record<CloudName, Cloud> = {
    global: {
        name: "global",
        graphRoot: "https://graph.microsoft.com",
        authorityHost: "https://login.microsoftonline.com",
        scope: "https://graph.microsoft.com/.default",
        supportsAosp: true,
    },
    usgovL4: {
        name: "usgovL4",
        graphRoot: "https://graph.microsoft.us",
        authorityHost: "https://login.microsoftonline.us",
        scope: "https://graph.microsoft.us/.default",
        supportsAosp: true,
    },
    usgovL5: {
        name: "usgovL5",
        graphRoot: "https://dod-graph.microsoft.us",
        authorityHost: "https://login.microsoftonline.us",
        scope: "https://dod-graph.microsoft.us/.default",
        supportsAosp: true,
    },
    china: {
        name: "china",
        graphRoot: "https://microsoftgraph.chinacloudapi.cn",
        authorityHost: "https://login.chinacloudapi.cn",
        scope: "https://microsoftgraph.chinacloudapi.cn/.default",
        supportsAosp: false,
    },
};

/** Names people write for each cloud, from Azure CLI, Terraform and the Intune docs, mapped to ours. */
const ALIASES: Record<string, CloudName> = {
    global: "global",
    public: "global",
    azurepubliccloud: "global",
    azurecloud: "global",
    usgov: "usgovL4",
    usgovl4: "usgovL4",
    usgovernment: "usgovL4",
    gcchigh: "usgovL4",
    azureusgovernment: "usgovL4",
    azureusgovernmentcloud: "usgovL4",
    usgovl5: "usgovL5",
    dod: "usgovL5",
    usgovdod: "usgovL5",
    china: "china",
    azurechinacloud: "china",
    "21vianet": "china",
};

export const CLOUD_NAMES_ACCEPTED = Object.keys(ALIASES);

export function cloudByName(name: string): Cloud | undefined {
    const key = ALIASES[name.replace(/[\s_-]/g, "").toLowerCase()];
    return key ? CLOUDS[key] : undefined;
}

/** Hosts Microsoft runs itself; any other authority (the emulator, a test double) needs instance discovery off. */
export function isMicrosoftAuthority(host: string): boolean {
    return Object.values(CLOUDS).some((c) => c.authorityHost === host.replace(/\/+$/, ""));
}
