import { ProfileKind } from "../model";
import { androidDeviceOwnerKind } from "./androidDeviceOwner";
import { androidForWorkKind } from "./androidForWork";

/** Every profile type the provider serves, by name. A new type is one kind file plus its line here. */
export const KINDS: Record<string, ProfileKind> = {
    [androidDeviceOwnerKind.name]: androidDeviceOwnerKind,
    [androidForWorkKind.name]: androidForWorkKind,
};

export function kindNamed(name: string): ProfileKind {
    const kind = KINDS[name];
    if (!kind) throw new Error(`unknown profile type "${name}" (this provider knows ${Object.keys(KINDS).join(", ")})`);
    return kind;
}
