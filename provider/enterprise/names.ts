/** The names of AndroidEnterpriseEnrollmentSettings, apart from its code: what a `__provider` text and the host share. */
export const ENROLLMENT_SETTINGS_NAME = "androidEnterpriseEnrollmentSettings";
export const ENROLLMENT_SETTINGS_TYPE_NAME = "AndroidEnterpriseEnrollmentSettings";
