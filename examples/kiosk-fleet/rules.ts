/**
 * Entra ID dynamic membership rules, built from values rather than typed by hand: a rule that names an enrollment
 * profile must follow the profile's displayName, or a rename silently empties the group.
 */

/** A string literal in rule syntax: double-quoted, a quote inside escaped with a backtick. */
export function ruleString(value: string): string {
    return `"${value.replace(/`/g, "``").replace(/"/g, '`"')}"`;
}

/** Devices enrolled with the profile of this displayName. */
export function enrolledWithProfile(displayName: string): string {
    return `(device.enrollmentProfileName -eq ${ruleString(displayName)})`;
}

/** Devices enrolled with any of these profiles. */
export function enrolledWithAnyProfile(displayNames: string[]): string {
    return `(device.enrollmentProfileName -in [${displayNames.map(ruleString).join(",")}])`;
}
