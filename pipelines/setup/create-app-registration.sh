#!/usr/bin/env bash
# create-app-registration.sh: the Entra ID app registration a pipeline signs in as to manage Intune Android
# enrollment profiles, with no stored secret:
#   - the app registration and its service principal;
#   - federated credentials for GitHub Actions OIDC (the main branch, pull requests, a deployment environment)
#     and, optionally, for an Azure DevOps workload-identity service connection;
#   - the Microsoft Graph application permission DeviceManagementConfiguration.ReadWrite.All, with admin consent
#     (an app role assignment on Graph's service principal, which is what admin consent does for app permissions).
#
# Idempotent: everything is looked up first and only what is missing or different is created or updated, so it
# can be run again after a failure or to add a credential. Needs the Azure CLI (`az`), signed in to the tenant
# (`az login --tenant <tenant>`; for a national cloud `az cloud set --name AzureUSGovernment|AzureChinaCloud` first)
# as a user who may create applications; granting the consent needs Privileged Role Administrator or Global
# Administrator (without it, pass --skip-consent and hand the printed command to an administrator).
#
# About the permission id: Microsoft Graph publishes one id per permission *and type*.
# DeviceManagementConfiguration.ReadWrite.All is
#   9241abd9-d0e6-425a-bd4f-47ba86e767a4  as an application permission (app role, "Role") -- what a pipeline needs;
#   0883f392-0a7a-443d-8c76-16a6d39c7b63  as a delegated permission (scope, "Scope") -- for signed-in users only.
# The script reads the app role id from Graph's service principal in your tenant (appRoles[value == name]) and
# uses the constant above only if that lookup returns nothing.

set -euo pipefail

GRAPH_APP_ID=00000003-0000-0000-c000-000000000000
PERMISSION=DeviceManagementConfiguration.ReadWrite.All
KNOWN_APP_ROLE_ID=9241abd9-d0e6-425a-bd4f-47ba86e767a4
DELEGATED_SCOPE_ID=0883f392-0a7a-443d-8c76-16a6d39c7b63
AUDIENCE=api://AzureADTokenExchange
GITHUB_ISSUER_DEFAULT=https://token.actions.githubusercontent.com

usage() {
    cat <<'EOF'
usage: create-app-registration.sh --repo ORG/REPO [options]
       create-app-registration.sh --ado-issuer URL --ado-subject SUBJECT [options]

Creates (or completes) the Entra ID app registration that a pipeline uses to manage Intune Android enrollment
profiles with pulumi-intune-enrollment: service principal, federated credentials, and the Microsoft Graph
application permission DeviceManagementConfiguration.ReadWrite.All with admin consent. Safe to run again.

GitHub Actions (pipelines/github-actions/intune-enrollment.yml):
  --repo ORG/REPO        repository whose workflow signs in; adds federated credentials with the subjects
                           repo:ORG/REPO:ref:refs/heads/BRANCH        (the scheduled token renewal)
                           repo:ORG/REPO:pull_request                 (pulumi preview on pull requests)
                           repo:ORG/REPO:environment:ENVIRONMENT      (pulumi up in the deploy job)
  --branch BRANCH        default: main
  --environment NAME     GitHub environment of the deploy job; default: intune-production; "" for none
  --no-pull-request      no credential for pull requests (previews then run without signing in to Intune)
  --github-issuer URL    default: https://token.actions.githubusercontent.com (GitHub Enterprise Server:
                         https://HOST/_services/token)

Azure DevOps (pipelines/azure-devops/azure-pipelines.yml), for a service connection created in manual mode:
  --ado-issuer URL       the "Issuer" the service connection page shows
  --ado-subject SUBJECT  the "Subject identifier" it shows (e.g. sc://ORG/PROJECT/CONNECTION)

Other:
  --name NAME            display name of the app registration; default: pulumi-intune-enrollment
  --skip-consent         add the permission but do not grant it (prints what an administrator must run)
  --dry-run              change nothing: print the az commands that would change something
  -h, --help             this text

Prints AZURE_TENANT_ID and AZURE_CLIENT_ID at the end: set them as GitHub repository variables (not secrets).
EOF
}

die() {
    printf 'create-app-registration: %s\n' "$*" >&2
    exit 1
}
say() { printf '==> %s\n' "$*" >&2; }
note() { printf '    %s\n' "$*" >&2; }

name=pulumi-intune-enrollment
repo=""
branch=main
environment=intune-production
pull_request=true
github_issuer=$GITHUB_ISSUER_DEFAULT
ado_issuer=""
ado_subject=""
skip_consent=false
dry_run=false

while [[ $# -gt 0 ]]; do
    case $1 in
        --repo) repo=${2:?--repo needs ORG/REPO}; shift 2 ;;
        --branch) branch=${2:?--branch needs a name}; shift 2 ;;
        --environment) environment=${2-}; shift 2 ;;
        --no-pull-request) pull_request=false; shift ;;
        --github-issuer) github_issuer=${2:?--github-issuer needs a URL}; shift 2 ;;
        --ado-issuer) ado_issuer=${2:?--ado-issuer needs a URL}; shift 2 ;;
        --ado-subject) ado_subject=${2:?--ado-subject needs a subject}; shift 2 ;;
        --name) name=${2:?--name needs a display name}; shift 2 ;;
        --skip-consent) skip_consent=true; shift ;;
        --dry-run) dry_run=true; shift ;;
        -h | --help) usage; exit 0 ;;
        *) usage >&2; printf '\ncreate-app-registration: unknown argument %s\n' "$1" >&2; exit 2 ;;
    esac
done

if [[ -z $repo && -z $ado_issuer && -z $ado_subject ]]; then
    usage >&2
    printf '\ncreate-app-registration: give --repo ORG/REPO (GitHub) or --ado-issuer and --ado-subject (Azure DevOps)\n' >&2
    exit 2
fi
if [[ -n $repo && ! $repo =~ ^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$ ]]; then
    die "--repo must look like ORG/REPO, not \"$repo\""
fi
if [[ -n $ado_issuer && -z $ado_subject ]] || [[ -z $ado_issuer && -n $ado_subject ]]; then
    die "--ado-issuer and --ado-subject go together"
fi
command -v az >/dev/null 2>&1 || die "the Azure CLI (az) is not installed: https://learn.microsoft.com/cli/azure/install-azure-cli"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Runs a command that changes something, or only shows it with --dry-run. Its stdout is the command's (a created
# object's id, for instance); with --dry-run it is the placeholder in $1.
change() {
    local placeholder=$1
    shift
    if $dry_run; then
        printf '    would run: %s\n' "$*" >&2
        printf '%s\n' "$placeholder"
    else
        "$@"
    fi
}

is_placeholder() { [[ $1 == "<"*">" ]]; }

say "Signed-in account"
az account show --query "{user: user.name, tenant: tenantId, cloud: environmentName}" -o tsv >&2 ||
    die "not signed in: run az login --tenant <tenant id> (add --allow-no-subscriptions if the tenant has no Azure subscription)"
tenant_id=$(az account show --query tenantId -o tsv)
graph_url=$(az cloud show --query endpoints.microsoftGraphResourceId -o tsv)
graph_url=${graph_url%/}
[[ -n $graph_url ]] || graph_url=https://graph.microsoft.com

say "App registration \"$name\""
app_count=$(az ad app list --display-name "$name" --query "length(@)" -o tsv)
if [[ ${app_count:-0} -gt 1 ]]; then
    die "$app_count app registrations are named \"$name\"; pass --name with a unique name"
fi
app_id=$(az ad app list --display-name "$name" --query "[0].appId" -o tsv)
if [[ -z $app_id ]]; then
    app_id=$(change "<new-app-id>" az ad app create --display-name "$name" --sign-in-audience AzureADMyOrg --query appId -o tsv)
    note "created: $app_id"
else
    note "exists: $app_id"
fi
if is_placeholder "$app_id"; then app_object_id="<new-app-object-id>"; else app_object_id=$(az ad app show --id "$app_id" --query id -o tsv); fi

say "Service principal"
sp_id=""
is_placeholder "$app_id" || sp_id=$(az ad sp list --filter "appId eq '$app_id'" --query "[0].id" -o tsv)
if [[ -z $sp_id ]]; then
    sp_id=$(change "<new-sp-id>" az ad sp create --id "$app_id" --query id -o tsv)
    note "created: $sp_id"
else
    note "exists: $sp_id"
fi

# A federated credential: created when missing, updated when its issuer or subject differs.
ensure_federated_credential() {
    local fic_name=$1 issuer=$2 subject=$3 description=$4
    fic_name=$(printf '%s' "$fic_name" | tr -c 'A-Za-z0-9_-' '-' | cut -c1-120)
    local params=$work/$fic_name.json
    printf '{"name":"%s","issuer":"%s","subject":"%s","description":"%s","audiences":["%s"]}\n' \
        "$fic_name" "$issuer" "$subject" "$description" "$AUDIENCE" >"$params"
    local current=""
    is_placeholder "$app_object_id" ||
        current=$(az ad app federated-credential list --id "$app_object_id" --query "[?name=='$fic_name'] | [0].[issuer, subject]" -o tsv | tr '\t' ' ')
    if [[ -z $current ]]; then
        change "" az ad app federated-credential create --id "$app_object_id" --parameters "$params" --output none >/dev/null
        note "created $fic_name: $subject"
    elif [[ $current != "$issuer $subject" ]]; then
        change "" az ad app federated-credential update --id "$app_object_id" --federated-credential-id "$fic_name" --parameters "$params" --output none >/dev/null
        note "updated $fic_name: $subject"
    else
        note "exists $fic_name: $subject"
    fi
}

say "Federated credentials"
if [[ -n $repo ]]; then
    slug=${repo//\//-}
    ensure_federated_credential "github-$slug-branch-$branch" "$github_issuer" "repo:$repo:ref:refs/heads/$branch" "GitHub Actions, $repo, branch $branch"
    if $pull_request; then
        ensure_federated_credential "github-$slug-pull-request" "$github_issuer" "repo:$repo:pull_request" "GitHub Actions, $repo, pull requests"
    fi
    if [[ -n $environment ]]; then
        ensure_federated_credential "github-$slug-environment-$environment" "$github_issuer" "repo:$repo:environment:$environment" "GitHub Actions, $repo, environment $environment"
    fi
fi
if [[ -n $ado_subject ]]; then
    ensure_federated_credential "azure-devops-$(printf '%s' "$ado_subject" | tr -c 'A-Za-z0-9' '-' | tail -c 60)" "$ado_issuer" "$ado_subject" "Azure DevOps service connection"
fi

say "Microsoft Graph application permission $PERMISSION"
graph_sp_id=$(az ad sp show --id "$GRAPH_APP_ID" --query id -o tsv)
role_id=$(az ad sp show --id "$GRAPH_APP_ID" --query "appRoles[?value=='$PERMISSION'] | [0].id" -o tsv)
if [[ -z $role_id ]]; then
    role_id=$KNOWN_APP_ROLE_ID
    note "Graph's service principal lists no app role $PERMISSION; using the published id $role_id"
elif [[ $role_id != "$KNOWN_APP_ROLE_ID" ]]; then
    note "note: this tenant's Graph lists $PERMISSION as app role $role_id (published: $KNOWN_APP_ROLE_ID); using $role_id"
fi
[[ $role_id != "$DELEGATED_SCOPE_ID" ]] || die "refusing $DELEGATED_SCOPE_ID: that is the delegated scope, an app-only sign-in needs the app role"
declared=0
is_placeholder "$app_id" ||
    declared=$(az ad app permission list --id "$app_id" --query "[?resourceAppId=='$GRAPH_APP_ID'].resourceAccess[] | [?id=='$role_id'] | length(@)" -o tsv)
if [[ ${declared:-0} -eq 0 ]]; then
    change "" az ad app permission add --id "$app_id" --api "$GRAPH_APP_ID" --api-permissions "$role_id=Role" --output none >/dev/null
    note "added to the app's required permissions: $role_id=Role"
else
    note "already among the app's required permissions"
fi

consent_args=(rest --method POST --uri "$graph_url/v1.0/servicePrincipals/$sp_id/appRoleAssignments"
    --headers Content-Type=application/json
    --body "{\"principalId\":\"$sp_id\",\"resourceId\":\"$graph_sp_id\",\"appRoleId\":\"$role_id\"}" --output none)
consent_command="az rest --method POST --uri $graph_url/v1.0/servicePrincipals/$sp_id/appRoleAssignments --headers Content-Type=application/json --body '{\"principalId\":\"$sp_id\",\"resourceId\":\"$graph_sp_id\",\"appRoleId\":\"$role_id\"}'"
say "Admin consent (app role assignment)"
granted=0
is_placeholder "$sp_id" ||
    granted=$(az rest --method GET --uri "$graph_url/v1.0/servicePrincipals/$sp_id/appRoleAssignments" \
        --query "value[?appRoleId=='$role_id' && resourceId=='$graph_sp_id'] | length(@)" -o tsv)
if [[ ${granted:-0} -gt 0 ]]; then
    note "granted"
elif $skip_consent; then
    note "not granted (--skip-consent). An administrator runs:"
    note "  $consent_command"
    note "or, in the portal: App registrations > $name > API permissions > Grant admin consent"
elif $dry_run; then
    change "" az "${consent_args[@]}" >/dev/null
else
    # A service principal made a moment ago may not have replicated yet ("does not exist"): wait and try again.
    for attempt in 1 2 3 4 5 6; do
        if error=$(az "${consent_args[@]}" 2>&1 >/dev/null); then
            note "granted"
            break
        fi
        if [[ $attempt -lt 6 && $error =~ (does\ not\ exist|NotFound|not\ found) ]]; then
            note "the new service principal is not visible yet; retrying in 10 s"
            sleep 10
            continue
        fi
        printf '%s\n' "$error" >&2
        note "could not grant it (granting a Graph application permission needs Privileged Role Administrator or"
        note "Global Administrator). An administrator runs:"
        note "  $consent_command"
        exit 1
    done
fi

if $dry_run; then say "Done (dry run: nothing was changed)"; else say "Done"; fi
cat <<EOF
AZURE_TENANT_ID=$tenant_id
AZURE_CLIENT_ID=$app_id

GitHub Actions (repository variables, not secrets):
  gh variable set AZURE_TENANT_ID --body $tenant_id${repo:+ --repo $repo}
  gh variable set AZURE_CLIENT_ID --body $app_id${repo:+ --repo $repo}
Or in the stack's config:
  pulumi config set intune:tenantId $tenant_id
  pulumi config set intune:clientId $app_id
EOF
