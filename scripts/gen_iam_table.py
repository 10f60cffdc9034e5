#!/usr/bin/env python3
"""Generate crates/core/src/actions/table.rs and man/action-stand-ins.md from the IAM
mapping data.

Usage: scripts/gen_iam_table.py [DATA_DIR] [OUTPUT_DIR]

DATA_DIR defaults to ../shared/data/iam-mapping beside the repository.
OUTPUT_DIR (default: the repository) receives crates/core/src/actions/table.rs and
man/action-stand-ins.md. The output is deterministic: every list is sorted.

What is generated (rules reviewed in issue 15, documented in the README's
"Action globs" and in man/action-stand-ins.md):

- HOST_PREFIXES: eventSource hosts whose IAM prefix is not their first label.
- STAND_INS: for an operation whose name is not an IAM action of its own
  service, the same-service actions that do its work: the mapping's
  unconditional actions of that service, less those serving a side purpose
  (SIDE_PURPOSE below). Operations left with none keep only their own name.
- IMPLIED: every action the mapping lists for an operation, any service,
  with the condition under which the call needs it (for --implied). Only
  operations whose list is more than their own name unconditionally.
- CASE_VARIANT_OPERATIONS: operations whose action differs only in case
  (the eventName spelling a LookupEvents query needs).
- KNOWN_SERVICES and KNOWN_NAMES: every service name a glob can use (IAM
  prefixes and eventSource hosts' first labels) and, per IAM prefix of the
  2023 mapping, every action and operation name it knows: the query lint
  warns about a glob that matches none of them (a typo, or a name newer
  than the data).
"""

import json
import os
import re
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HOSTS_FILE = "cloudtrail_service_mappings.json"
MAP_FILE = "iam-dataset-map-2023-01-01.json"
MAPPING_DATE = re.search(r"\d{4}-\d{2}-\d{2}", MAP_FILE).group(0)

# Template variables the mapping fills from the caller's context, not from
# the request: they say nothing about which parameters were given.
CONTEXT_VARS = {"Partition", "Region", "Account"}

# Condition operators of the mapping's `conditions` objects and ours.
CONDITION_OPS = {
    "Exists": "Exists",
    "NotExists": "NotExists",
    "Equals": "Equals",
    "NotEquals": "NotEquals",
    "IContains": "IContains",
    "INotContains": "INotContains",
}


def find_data_dir(argv):
    if len(argv) > 1 and argv[1]:
        return argv[1]
    candidate = os.path.join(REPO, "..", "shared", "data", "iam-mapping")
    if os.path.isfile(os.path.join(candidate, MAP_FILE)):
        return candidate
    sys.exit(
        "gen_iam_table.py: IAM mapping data not found in ../shared/data/iam-mapping; "
        "pass its directory as the first argument"
    )


def host_prefixes(data_dir):
    with open(os.path.join(data_dir, HOSTS_FILE), encoding="utf-8") as f:
        hosts = json.load(f)["cloudtrail_service_mappings"]
    return sorted(
        (host.lower(), prefix.lower())
        for host, prefix in hosts.items()
        if host.split(".", 1)[0].lower() != prefix.lower()
    )


def own_prefixes(methods, service_prefixes):
    """The IAM prefix of each SDK service: the prefix whose action names most
    often equal the operation names (Drs calls ec2 more often than drs, but
    its own operations are drs actions); failing that the dataset's service
    map, then the prefix its actions use most."""
    identity = {}
    usage = {}
    for method, entries in methods.items():
        sdk_service, operation = method.rsplit(".", 1)
        for entry in entries:
            prefix, _, name = entry.get("action", "").partition(":")
            if not name:
                continue
            prefix = prefix.lower()
            counts = usage.setdefault(sdk_service, {})
            counts[prefix] = counts.get(prefix, 0) + 1
            if name.lower() == operation.lower():
                counts = identity.setdefault(sdk_service, {})
                counts[prefix] = counts.get(prefix, 0) + 1

    def most(counts):
        return max(sorted(counts), key=lambda p: counts[p])

    result = {}
    for sdk_service, counts in usage.items():
        if sdk_service in identity:
            result[sdk_service] = most(identity[sdk_service])
        elif service_prefixes.get(sdk_service):
            result[sdk_service] = service_prefixes[sdk_service].lower()
        else:
            result[sdk_service] = most(counts)
    return result


# --- conditions -------------------------------------------------------------
# A condition is a tuple: ("Always",), ("Truthy", path), (op, path[, rhs]),
# ("Any", [conds]) or ("All", [conds]).
ALWAYS = ("Always",)
VAR = re.compile(r"\$\{([^}]+)\}")


def request_vars(text):
    return [v for v in VAR.findall(text) if v not in CONTEXT_VARS]


def any_of(conds):
    conds = sorted(set(conds))
    if ALWAYS in conds or not conds:
        return ALWAYS
    return conds[0] if len(conds) == 1 else ("Any", tuple(conds))


def all_of(conds):
    conds = sorted({c for c in conds if c != ALWAYS})
    if not conds:
        return ALWAYS
    return conds[0] if len(conds) == 1 else ("All", tuple(conds))


def template_condition(template, cross_service):
    """`%%iftruthy%${P}%...%%%`: needed when P is truthy. `%%many%A%B%%`: one
    ARN per argument, so needed when any argument's parameters are given.
    For another service's action, a template that is one parameter and
    nothing else (`${ServiceRoleArn}`) names the resource by that parameter,
    so without it there is nothing to authorise. Anything else (plain,
    iftemplatematch, regex) names a resource of a call that always needs it."""
    whole = re.fullmatch(r"\$\{([^}]+)\}", template)
    if cross_service and whole and whole.group(1) not in CONTEXT_VARS:
        return ("Truthy", whole.group(1))
    if template.startswith("%%iftruthy%"):
        names = request_vars(template.split("%", 4)[3])
        return any_of([("Truthy", n) for n in names]) if names else ALWAYS
    if template.startswith("%%many%"):
        parts = template[len("%%many%"):].rstrip("%").split("%")
        conds = []
        for part in parts:
            names = request_vars(part)
            if not names:
                return ALWAYS
            conds.append(all_of([("Truthy", n) for n in names]))
        return any_of(conds)
    return ALWAYS


def holds_without_parameters(cond):
    """The condition on a request that gives no optional parameter."""
    kind = cond[0]
    if kind == "Any":
        return any(holds_without_parameters(c) for c in cond[1])
    if kind == "All":
        return all(holds_without_parameters(c) for c in cond[1])
    return kind in ("Always", "NotExists", "NotEquals", "INotContains")


def resource_parts_condition(entry, cross):
    """Another service's S3 action whose bucket is one request parameter
    (`BucketName: ${S3BucketName}`): without that parameter there is no
    bucket to authorise (CreateTrail without S3BucketName writes nowhere).
    Only the bucket: other parts a parameter fills may name one of several
    resources the action is checked on (an ENI's security groups; without
    them it is still checked on the ENI), so they constrain nothing."""
    if not cross:
        return ALWAYS
    bucket = entry.get("resource_mappings", {}).get("BucketName", {}).get("template", "")
    whole = re.fullmatch(r"\$\{([^}]+)\}", bucket)
    if entry["action"].lower().startswith("s3:") and whole and whole.group(1) not in CONTEXT_VARS:
        return ("Truthy", whole.group(1))
    return ALWAYS


def entry_condition(entry, prefix):
    templates = []
    if "arn_override" in entry:
        templates.append(entry["arn_override"]["template"])
    templates += list(entry.get("resourcearn_mappings", {}).values())
    cross = entry["action"].split(":", 1)[0].lower() != prefix
    if templates:
        cond = any_of([template_condition(t, cross) for t in templates])
    else:
        cond = resource_parts_condition(entry, cross)
    stated = entry.get("conditions")
    parts = [cond]
    while stated:
        op = stated["op"]
        if op not in CONDITION_OPS:
            sys.exit(f"gen_iam_table.py: unknown condition operator {op!r}")
        if "rhs" in stated:
            parts.append((CONDITION_OPS[op], stated["lhs"], stated["rhs"]))
        else:
            parts.append((CONDITION_OPS[op], stated["lhs"]))
        stated = stated.get("andCondition")
    return all_of(parts)


# --- stand-ins ----------------------------------------------------------------
TAG_OR_ACL = re.compile(r"(Tagging|Tags|TagResource|TagsToResource|Acl)$", re.I)


def side_purpose(prefix, operation, action, kept):
    """Why an unconditional action of the call's own service is not its work,
    or None. Reviewed against every row of the published list: ListBucket
    on CopyObject only changes the error for a missing source key; the ACL
    and tagging actions are checked only when the request sets them (the
    2023 mapping does not model S3's headers)."""
    if prefix == "s3" and action.lower() == "listbucket" and len(kept) > 1:
        return "only turns a 403 into a 404 for a missing key"
    if TAG_OR_ACL.search(action) and not re.search(r"Tag|Acl", operation, re.I):
        return "needed only when the request sets tags or an ACL"
    return None


# Corrections of the 2023 mapping, each from the source named.
#
# Lex V2 operations the mapping gives Lex V1's action names (CreateBot ->
# lex:PutBot), although each is an IAM action of its own name: AWS Service
# Authorization Reference, "Actions, resources, and condition keys for Amazon
# Lex V2" (operation CreateBot authorises lex:CreateBot, ...).
OWN_ACTIONS = {
    "lex": {
        "CreateBot", "CreateBotAlias", "CreateIntent", "CreateSlotType",
        "ListBots", "ListBotVersions", "ListBuiltInIntents", "ListBuiltInSlotTypes",
        "UpdateBot", "UpdateBotAlias", "UpdateIntent", "UpdateSlotType",
    },
}
# Operations two SDK services of one prefix share, whose events CloudTrail
# cannot tell apart by eventSource: S3's and S3 Control's PublicAccessBlock
# calls (bucket and account); both services' actions are listed.
SHARED_OPERATIONS = {
    ("s3", "deletepublicaccessblock"),
    ("s3", "getpublicaccessblock"),
    ("s3", "putpublicaccessblock"),
}
# Events CloudTrail names otherwise than the SDK operation, with what the
# operation needs: S3 logs the PublicAccessBlock calls as ...Bucket... and
# ...Account... (Amazon S3 User Guide, "Amazon S3 CloudTrail events"; the
# invictus records hold DeleteBucketPublicAccessBlock), and the Delete calls
# are authorised by the Put actions (API reference of DeletePublicAccessBlock
# in S3 and S3 Control).
EVENT_NAMES = {
    ("s3", "DeleteBucketPublicAccessBlock"): ["s3:PutBucketPublicAccessBlock"],
    ("s3", "DeleteAccountPublicAccessBlock"): ["s3:PutAccountPublicAccessBlock"],
}


def load(data_dir):
    with open(os.path.join(data_dir, MAP_FILE), encoding="utf-8") as f:
        data = json.load(f)
    methods = data["sdk_method_iam_mappings"]
    prefixes = own_prefixes(methods, data["sdk_service_mappings"])
    known = {}  # prefix -> lowercase action names anywhere in the mapping
    for entries in methods.values():
        for e in entries:
            p, _, name = e.get("action", "").partition(":")
            if name:
                known.setdefault(p.lower(), set()).add(name.lower())
    # Several SDK services can share a prefix (Neptune and DocDB call rds
    # actions): where one is named like the prefix, its mapping is the
    # prefix's own and the others' do not describe the event.
    owners = {}
    for method in methods:
        sdk_service, operation = method.rsplit(".", 1)
        prefix = prefixes.get(sdk_service)
        if prefix is not None:
            owners.setdefault((prefix, operation.lower()), set()).add(sdk_service)

    def describes(sdk_service, prefix, operation):
        if (prefix, operation.lower()) in SHARED_OPERATIONS:
            return True
        named = {o for o in owners[(prefix, operation.lower())]
                 if o.lower().replace("-", "") == prefix.replace("-", "")}
        return not named or sdk_service in named

    ops = {}  # (prefix, operation.lower()) -> (operation, {action: [conds]})
    for method, entries in methods.items():
        sdk_service, operation = method.rsplit(".", 1)
        prefix = prefixes.get(sdk_service)
        if prefix is None or not describes(sdk_service, prefix, operation):
            continue
        _, actions = ops.setdefault((prefix, operation.lower()), (operation, {}))
        for e in entries:
            p, _, name = e.get("action", "").partition(":")
            if not name:
                continue
            key = f"{p.lower()}:{name}"
            # One spelling per action, case-insensitively.
            for existing in actions:
                if existing.lower() == key.lower():
                    key = existing
                    break
            actions.setdefault(key, []).append(entry_condition(e, prefix))
    for prefix, operations in OWN_ACTIONS.items():
        for operation in operations:
            known[prefix].add(operation.lower())
            _, actions = ops[(prefix, operation.lower())]
            # The V1 names stood in for the missing own action: replace them.
            for key in [k for k in actions if k.split(":", 1)[0] == prefix]:
                del actions[key]
            actions[f"{prefix}:{operation}"] = [ALWAYS]
    for (prefix, event_name), needed in EVENT_NAMES.items():
        ops[(prefix, event_name.lower())] = (event_name, {a: [ALWAYS] for a in needed})
    return known, ops


def known_names(data_dir):
    """(KNOWN_SERVICES, KNOWN_NAMES): service names from both data files;
    per prefix of the mapping, its actions and the operations of the SDK
    services that are its own (eventNames a glob also matches), one
    spelling per name ignoring case."""
    with open(os.path.join(data_dir, MAP_FILE), encoding="utf-8") as f:
        data = json.load(f)
    methods = data["sdk_method_iam_mappings"]
    prefixes = own_prefixes(methods, data["sdk_service_mappings"])
    names = {}
    for method, entries in methods.items():
        sdk_service, operation = method.rsplit(".", 1)
        if sdk_service in prefixes:
            names.setdefault(prefixes[sdk_service], {}).setdefault(operation.lower(), operation)
        for e in entries:
            p, _, name = e.get("action", "").partition(":")
            if name:
                names.setdefault(p.lower(), {})[name.lower()] = name
    with open(os.path.join(data_dir, HOSTS_FILE), encoding="utf-8") as f:
        hosts = json.load(f)["cloudtrail_service_mappings"]
    services = set(names)
    for host, prefix in hosts.items():
        services.add(prefix.lower())
        services.add(host.split(".", 1)[0].lower())
    rows = [(p, sorted(n.values(), key=lambda x: (x.lower(), x))) for p, n in sorted(names.items())]
    return sorted(services), rows


def build(data_dir):
    known, ops = load(data_dir)
    stand_ins, implied, case_variants, dropped = [], [], [], []
    for (prefix, op_lower), (operation, actions) in sorted(ops.items()):
        merged = {a: any_of(c) for a, c in actions.items()}
        own_key = f"{prefix}:{op_lower}"
        own = [a for a in merged if a.lower() == own_key]
        if own and own[0] != f"{prefix}:{operation}":
            case_variants.append((prefix, operation))
        if op_lower not in known.get(prefix, set()):
            same = sorted(
                (a.split(":", 1)[1] for a, c in merged.items()
                 if a.split(":", 1)[0] == prefix and c == ALWAYS),
                key=str.lower,
            )
            conditional = sorted(
                (a.split(":", 1)[1] for a, c in merged.items()
                 if a.split(":", 1)[0] == prefix and c != ALWAYS),
                key=str.lower,
            )
            if not same:
                # The conditions pick which action does the work: take those of
                # a plain request (HeadObject: GetObject, not GetObjectVersion);
                # where the request's content decides (ExecuteStatement), all.
                plain = [a for a in conditional
                         if holds_without_parameters(merged[f"{prefix}:{a}"])]
                same = plain or conditional
            kept = list(same)
            for action in same:
                why = side_purpose(prefix, operation, action, kept)
                if why:
                    kept.remove(action)
                    dropped.append((prefix, operation, action, why))
            if kept:
                stand_ins.append((prefix, operation, kept))
        if set(merged) != set(own) or any(merged[a] != ALWAYS for a in own):
            rows = sorted(merged.items(), key=lambda kv: kv[0].lower())
            implied.append((prefix, operation, rows))
    return stand_ins, implied, case_variants, dropped


def rust_str(s):
    return json.dumps(s)  # ASCII names: JSON string syntax is valid Rust


def rust_cond(c):
    kind = c[0]
    if kind == "Always":
        return "Cond::Always"
    if kind in ("Any", "All"):
        return f"Cond::{kind}(&[{', '.join(rust_cond(x) for x in c[1])}])"
    return f"Cond::{kind}({', '.join(rust_str(x) for x in c[1:])})"


def text_cond(c):
    kind = c[0]
    if kind == "Always":
        return "always"
    if kind == "Any":
        return " or ".join(text_cond(x) for x in c[1])
    if kind == "All":
        return " and ".join(f"({text_cond(x)})" for x in c[1])
    if kind == "Truthy":
        return f"{c[1]} given"
    return f"{c[1]} {kind}" + (f" {c[2]!r}" if len(c) > 2 else "")


def render_rust(hosts, stand_ins, implied, case_variants, services, known):
    out = [
        "// @generated by scripts/gen_iam_table.py -- DO NOT EDIT.",
        f"// Sources (in the IAM mapping data directory): {HOSTS_FILE}, {MAP_FILE}",
        "// (iam-dataset by Ian Mckay, MIT licence: see THIRD_PARTY_NOTICES.md).",
        "// Regenerate: python3 scripts/gen_iam_table.py [DATA_DIR]",
        "",
        "use super::implied::{Cond, Implied};",
        "",
        "/// The date of the SDK-to-IAM mapping the action lists come from.",
        f"pub(crate) const MAPPING_DATE: &str = {rust_str(MAPPING_DATE)};",
        "",
        "/// eventSource host -> IAM prefix, only where the prefix is not the",
        "/// host's first DNS label. Sorted by host.",
        "#[rustfmt::skip]",
        "pub(crate) static HOST_PREFIXES: &[(&str, &str)] = &[",
    ]
    out += [f"    ({rust_str(h)}, {rust_str(p)})," for h, p in hosts]
    out += [
        "];",
        "",
        "/// (IAM prefix, operation) -> the same-service actions an operation",
        "/// whose name is no IAM action stands for. Sorted by prefix, then",
        "/// operation compared case-insensitively.",
        "#[rustfmt::skip]",
        "pub(crate) static STAND_INS: &[(&str, &str, &[&str])] = &[",
    ]
    for prefix, operation, actions in stand_ins:
        names = ", ".join(rust_str(a) for a in actions)
        out.append(f"    ({rust_str(prefix)}, {rust_str(operation)}, &[{names}]),")
    out += [
        "];",
        "",
        "/// (IAM prefix, operation) -> every action the call needs, any service,",
        "/// with the condition on its requestParameters. Sorted like STAND_INS.",
        "#[rustfmt::skip]",
        "pub(crate) static IMPLIED: &[(&str, &str, &[Implied])] = &[",
    ]
    for prefix, operation, rows in implied:
        items = ", ".join(
            f"Implied {{ action: {rust_str(a)}, when: {rust_cond(c)} }}" for a, c in rows
        )
        out.append(f"    ({rust_str(prefix)}, {rust_str(operation)}, &[{items}]),")
    out += [
        "];",
        "",
        "/// (IAM prefix, operation) whose IAM action is the operation's name in",
        "/// another case (`GetBucketCors` is `s3:GetBucketCORS`): the eventName",
        "/// spelling a LookupEvents query needs. Sorted like STAND_INS.",
        "#[rustfmt::skip]",
        "pub(crate) static CASE_VARIANT_OPERATIONS: &[(&str, &str)] = &[",
    ]
    out += [f"    ({rust_str(p)}, {rust_str(o)})," for p, o in case_variants]
    out += [
        "];",
        "",
        "/// Every service name a glob can use: the IAM prefixes of both data",
        "/// files and the first labels of the eventSource hosts. Sorted.",
        "#[rustfmt::skip]",
        "pub(crate) static KNOWN_SERVICES: &[&str] = &[",
    ]
    out += [f"    {rust_str(p)}," for p in services]
    out += [
        "];",
        "",
        "/// IAM prefix -> the action and operation names the mapping knows,",
        "/// space-separated, sorted ignoring case. Sorted by prefix.",
        "#[rustfmt::skip]",
        "pub(crate) static KNOWN_NAMES: &[(&str, &str)] = &[",
    ]
    out += [f"    ({rust_str(p)}, {rust_str(' '.join(n))})," for p, n in known]
    out += ["];", ""]
    return "\n".join(out)


STAND_INS_HEADER = """\
<!-- @generated by scripts/gen_iam_table.py -- DO NOT EDIT. -->
# Events that stand for other actions

An action glob selects an event by its own action: the eventSource's IAM
prefix joined to its eventName (`s3:GetObject`). These events are the
exception: their name is not an IAM action of their service, so they stand
for the actions that do their work, and a glob matching any of those selects
them too. `s3:GetObject` selects `CopyObject` and `HeadObject`;
`s3:ListBucket` selects `ListObjects` and `HeadBucket`.

The list is generated by `scripts/gen_iam_table.py` from iam-dataset's
SDK-to-IAM mapping (MIT). For each operation whose name is no IAM action of
its service (compared ignoring case), it keeps the actions of that same
service that the mapping lists without a condition, less those serving a
side purpose (listed at the end). Where the mapping lists that service's
actions only under conditions, it keeps those a request without optional
parameters needs (`HeadObject`: `s3:GetObject`, not `s3:GetObjectVersion`),
or all of them where the request's content chooses (`ExecuteStatement`).
Actions of other services and actions needed only for some parameters are
not here: `--implied` adds them (see ACTION GLOBS in `man spitzel-filter`).

| event | stands for |
|---|---|
"""


def render_markdown(stand_ins, dropped):
    out = [STAND_INS_HEADER.rstrip("\n")]
    for prefix, operation, actions in stand_ins:
        out.append(f"| `{prefix}:{operation}` | " + ", ".join(f"`{prefix}:{a}`" for a in actions) + " |")
    out += [
        "",
        "## Left out as side purposes",
        "",
        "| event | action | why |",
        "|---|---|---|",
    ]
    for prefix, operation, action, why in dropped:
        out.append(f"| `{prefix}:{operation}` | `{prefix}:{action}` | {why} |")
    out.append("")
    return "\n".join(out)


def main(argv):
    data_dir = find_data_dir(argv)
    out_dir = argv[2] if len(argv) > 2 else REPO
    hosts = host_prefixes(data_dir)
    stand_ins, implied, case_variants, dropped = build(data_dir)
    services, names = known_names(data_dir)
    outputs = {
        os.path.join("crates", "core", "src", "actions", "table.rs"): render_rust(
            hosts, stand_ins, implied, case_variants, services, names),
        os.path.join("man", "action-stand-ins.md"): render_markdown(stand_ins, dropped),
    }
    for rel, text in outputs.items():
        path = os.path.join(out_dir, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)


if __name__ == "__main__":
    main(sys.argv)
