"""Intune Android enrollment profiles in Python: the intune provider plugin through its generated SDK (sdk/python)."""

import pulumi
import pulumi_intune as intune

config = pulumi.Config()

# Dedicated devices: warehouse scanners, one QR code for the fleet, a fresh token in the last 14 of every 90 days.
scanners = intune.AndroidDeviceOwnerEnrollmentProfile(
    "scanners",
    display_name=config.get("scannersName") or "Warehouse scanners",
    enrollment_mode=intune.EnrollmentMode.CORPORATE_OWNED_DEDICATED_DEVICE,
    token_validity_days=90,
    renew_token_within_days=14,
    device_name_template="WH-{{SERIALLAST4DIGITS}}",
)

# Fully managed phones need corporate-owned user enrollment switched on in the tenant: declared beside them.
enrollment_settings = intune.AndroidEnterpriseEnrollmentSettings("enrollment-settings", fully_managed_enrollment_enabled=True)
staff_phones = intune.AndroidDeviceOwnerEnrollmentProfile(
    "staff-phones",
    display_name="Staff phones",
    enrollment_mode=intune.EnrollmentMode.CORPORATE_OWNED_FULLY_MANAGED,
    opts=pulumi.ResourceOptions(depends_on=[enrollment_settings]),
)

pulumi.export("scannersProfileId", scanners.profile_id)
# Secret: the token is in the QR code.
pulumi.export("scannersQrCode", scanners.qr_code_content)
pulumi.export("staffPhonesProfileId", staff_phones.profile_id)
