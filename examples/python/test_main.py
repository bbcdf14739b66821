"""The Python example under Pulumi's mocks: what it declares, with which inputs, and that its secrets stay secret.

`npm test` runs it (test/python.sdk.test.ts) with the committed SDK installed by scripts/ensure-python-sdk.sh:
    python -m unittest discover -s examples/python -v
The mocks stand in for the engine and the provider plugin; the plugin itself is tested through the real engine by
test/e2e.plugin.test.ts.
"""

import inspect
import os
import runpy
import unittest

import pulumi
import pulumi_intune as intune

PROFILE = "intune:index:AndroidDeviceOwnerEnrollmentProfile"
SETTINGS = "intune:index:AndroidEnterpriseEnrollmentSettings"


class Mocks(pulumi.runtime.Mocks):
    def __init__(self):
        self.resources = {}

    def new_resource(self, args: pulumi.runtime.MockResourceArgs):
        self.resources[args.name] = args
        outputs = dict(args.inputs)
        if args.typ == PROFILE:
            outputs.update(profileId=f"{args.name}-id", tokenValue=f"token-of-{args.name}", qrCodeContent=f"qr-of-{args.name}")
        return [f"{args.name}-id", outputs]

    def call(self, args: pulumi.runtime.MockCallArgs):
        return {}


mocks = Mocks()
pulumi.runtime.set_mocks(mocks, preview=False)
pulumi.runtime.set_all_config({f"{pulumi.get_project()}:scannersName": "Dock scanners"})
# The program registers its resources as it runs, under the mocks.
program = runpy.run_path(os.path.join(os.path.dirname(__file__), "__main__.py"))


def once_registered(check):
    """Runs `check` once the engine (the mocks) has every resource of the program: registration is asynchronous."""
    resources = [program[name] for name in ("scanners", "enrollment_settings", "staff_phones")]
    return pulumi.Output.all(*[r.urn for r in resources]).apply(lambda _: check())


class ExampleProgram(unittest.TestCase):
    @pulumi.runtime.test
    def test_declares_two_profiles_and_the_switch_with_the_schema_types(self):
        def check():
            self.assertEqual({r.typ for r in mocks.resources.values()}, {PROFILE, SETTINGS})
            self.assertEqual(sorted(mocks.resources), ["enrollment-settings", "scanners", "staff-phones"])
            self.assertEqual(mocks.resources["enrollment-settings"].inputs, {"fullyManagedEnrollmentEnabled": True})

        return once_registered(check)

    @pulumi.runtime.test
    def test_sends_the_inputs_under_their_schema_names_and_the_enum_values(self):
        return once_registered(self.check_inputs)

    def check_inputs(self):
        scanners = mocks.resources["scanners"].inputs
        self.assertEqual(scanners["displayName"], "Dock scanners")
        self.assertEqual(scanners["enrollmentMode"], "corporateOwnedDedicatedDevice")
        self.assertEqual(scanners["tokenValidityDays"], 90)
        self.assertEqual(scanners["renewTokenWithinDays"], 14)
        self.assertEqual(scanners["deviceNameTemplate"], "WH-{{SERIALLAST4DIGITS}}")
        self.assertNotIn("roleScopeTagIds", scanners, "no schema default is sent as if declared")
        self.assertEqual(mocks.resources["staff-phones"].inputs["enrollmentMode"], "corporateOwnedFullyManaged")

    @pulumi.runtime.test
    def test_outputs_read_back_as_the_schema_names_them(self):
        def check(values):
            self.assertEqual(values, ["scanners-id", "qr-of-scanners", "staff-phones-id"])

        return pulumi.Output.all(program["scanners"].profile_id, program["scanners"].qr_code_content, program["staff_phones"].profile_id).apply(check)

    def test_the_sdk_keeps_the_token_qr_code_and_wifi_password_secret(self):
        # Pulumi's mocks ignore additional secret outputs, so the SDK's own declaration is what can be checked here.
        source = inspect.getsource(intune.AndroidDeviceOwnerEnrollmentProfile._internal_init)
        for name in ["qrCodeContent", "qrCodeImage", "tokenValue", "wifiPassword"]:
            self.assertRegex(source, rf"additional_secret_outputs=\[[^\]]*\"{name}\"")


if __name__ == "__main__":
    unittest.main()
