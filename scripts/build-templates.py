#!/usr/bin/env python3
"""Writes the importable template workflows in workflows/ (run after changing a template here)."""
import hashlib
import json
import pathlib

OUT = pathlib.Path(__file__).resolve().parent.parent / "workflows"
PKG = "n8n-nodes-video-pipeline"
CRED = {
    "openai": {"openAiVideoPipelineApi": {"id": "vpSandboxOpenAi", "name": "Sandbox OpenAI"}},
    "vertex": {"googleVideoPipelineApi": {"id": "vpSandboxVertex", "name": "Sandbox Google (Vertex AI service account)"}},
    "runway": {"runwayVideoPipelineApi": {"id": "vpSandboxRunway", "name": "Sandbox Runway"}},
}
RENDER = {"pollIntervalSeconds": 2, "timeoutMinutes": 30, "concurrency": 4}
# Where every template delivers: a setting of each template (never a field of a request).
DELIVERY_ROOT = "/home/node/.n8n-files/video-deliveries"
# The most one brief or reshoot may spend, in USD: the same on the webhooks, the form and MCP.
BUDGET_CAP = 50
# nodes/shared/contract/schemas.ts SAFE_ID_PATTERN (test/engine/templates.test.ts holds them equal).
SAFE_ID = r"^(?!.*\.\.)[A-Za-z0-9][A-Za-z0-9._:-]*$"
INTAKE_AUTH = {"httpHeaderAuth": {"id": "vpBriefWebhookAuth", "name": "Brief webhook header"}}
FORM_AUTH = {"httpBasicAuth": {"id": "vpBriefFormAuth", "name": "Brief form login"}}
MCP_AUTH = {"httpHeaderAuth": {"id": "vpMcpServerAuth", "name": "MCP server header"}}


def settings_root(settings_node):
    return f"$('{settings_node}').first().json.deliveryRoot"


def file_name(root, run, suffix):
    """The one place a delivered file's name is built, as a JS expression: <root>/<runId>-<suffix>.

    `run` and `suffix` are JS expressions of IDs the contract's safe character set has passed; the
    folder is a template setting. Every file a template reads or writes is named here."""
    return f"{root} + '/' + {run} + '-' + {suffix}"


def file_param(root, run, suffix):
    return "={{ " + file_name(root, run, suffix) + " }}"


def file_function(root):
    """A JS `file(run, suffix)` for code nodes, built by file_name."""
    return f"const file = (run, suffix) => {file_name(root, 'run', 'suffix')};\n"


# Request checks shared by every paid entry (studio, reshoot, MCP): the server decides, not the caller.
INTAKE_CHECKS = r"""const SAFE_ID = /""" + SAFE_ID + r"""/;
const SAFE_NAME = /^[\p{L}\p{N}][\p{L}\p{N} &'.,_+-]*$/u;
const text = (value) => (value === null || value === undefined ? '' : String(value)).trim();
// Shown escaped, so an invisible or right-to-left character in a refused value is visible.
const shown = (value) => JSON.stringify(String(value)).replace(/[^\x20-\x7e]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
const refuse = (field, message, status = 422) => { const error = new Error(`${REFUSAL_PREFIX}${field}: ${message}`); Object.assign(error, { status, field }); throw error; };
const safeId = (field, value, max = 128) => {
  const id = typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value);
  if (!id) refuse(field, 'is required');
  if (id.length > max || !SAFE_ID.test(id)) refuse(field, `${shown(id)} may only contain letters, digits and . _ : - (starting with a letter or digit, no "..", at most ${max})`);
  return id;
};
const safeName = (field, value, required = true) => {
  const name = text(value);
  if (!name && !required) return '';
  if (!name) refuse(field, 'is required');
  if (name.length > 100 || !SAFE_NAME.test(name)) refuse(field, `${shown(name)} may only contain letters, digits, spaces and & ' . , _ + - (at most 100)`);
  return name;
};
const budget = (value, cap) => {
  if (value === undefined || value === null || value === '') refuse('budgetUsd', `is required: the most this call may spend, in USD (at most $${cap})`);
  const usd = typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isFinite(usd)) refuse('budgetUsd', `must be a number of USD, not ${shown(typeof value === 'string' ? value : JSON.stringify(value))}`);
  if (!(usd > 0)) refuse('budgetUsd', `must be more than 0 (it is ${usd}): every paid call states its cap`);
  if (usd > cap) refuse('budgetUsd', `$${usd} is above this server's cap of $${cap} per call`);
  return usd;
};
"""

# The run's state as every execution left it: <runId>-run-state.json from the studio, then each
# reshoot's own file (<runId>-run-state.<shot>.<execution>.json; a reshoot never rewrites
# another's), merged shot by shot: every take and every charge kept, the latest QC state of a shot wins.
MERGE_RUN_STATE = r"""const mergeRunState = (runId, files) => {
  const mine = files.filter((f) => f && f.runId === runId);
  const base = mine.find((f) => Array.isArray(f.shots) && !f.reshoot);
  if (!base) return undefined;
  const union = (a, b, key) => { const seen = new Set(a.map(key)); return [...a, ...b.filter((x) => !seen.has(key(x)))]; };
  const takeKey = (t) => t.jobId;
  const chargeKey = (e) => `${e.layer}|${e.vendor}|${e.model}|${e.jobId}`;
  const shots = base.shots.map((item) => ({ ...item }));
  const reshoots = mine.filter((f) => f.reshoot && f.item).sort((a, b) => String(a.writtenAt).localeCompare(String(b.writtenAt)));
  for (const { item } of reshoots) {
    const i = shots.findIndex((s) => s.shot.id === item.shot.id);
    if (i < 0) continue;
    shots[i] = { ...item, takes: union(shots[i].takes || [], item.takes || [], takeKey), ledger: union(shots[i].ledger || [], item.ledger || [], chargeKey) };
  }
  return { ...base, shots };
};
"""

# Every QC Router checks identity and colour with a cheap judge; its Google credential is what turns the checks on.
JUDGE = {"visionJudge": True, "judgeModel": "gemini-3.1-flash-lite"}


def node(name, type_, params, pos, version=1, creds=None, **extra):
    n = {"id": name.lower().replace(" ", "-"), "name": name, "type": type_, "typeVersion": version, "position": pos, "parameters": params}
    if creds:
        n["credentials"] = creds
    n.update(extra)
    return n


def sticky(name, content, pos, width=420, height=300, color=None):
    params = {"content": content, "width": width, "height": height}
    if color:
        params["color"] = color
    return node(name, "n8n-nodes-base.stickyNote", params, pos)


def deliver(name, root, suffix, prop, pos):
    """A Read/Write File node writing one binary field to the delivery folder as <runId>-<suffix> (a JS expression)."""
    return node(name, "n8n-nodes-base.readWriteFile", {"operation": "write", "fileName": file_param(root, "$json.pipeline.runId", suffix), "dataPropertyName": prop, "options": {}}, pos, 1.1)


def respond(name, pos, body, status):
    """A Respond to Webhook node answering JSON (the webhook triggers answer through these)."""
    return node(name, "n8n-nodes-base.respondToWebhook", {"respondWith": "json", "responseBody": body, "options": {"responseCode": status}}, pos, 1.4)


REFUSAL_BODY = "={{ JSON.stringify({ refused: true, error: $json.refused.error, field: $json.refused.field, runId: $json.runId || undefined }) }}"


def refusal_nodes(prefix, pos):
    """Refuse <prefix>: answers the webhook with the refusal (the field named, nothing billed).

    A refusal that came another way (a calling workflow, the form, a manual run) then fails the
    execution with it, so the caller sees why; a webhook's execution ends there (failing it would
    let n8n replace the answer already given with its generic 500)."""
    x, y = pos
    return [respond(f"Refuse {prefix}", [x, y], REFUSAL_BODY, "={{ $json.refused.status }}"),
            node(f"{prefix} Not From Webhook", "n8n-nodes-base.filter", {"conditions": condition(f"ad0c1e2f-0000-4000-8000-{hashlib.md5(prefix.encode()).hexdigest()[:12]}", "={{ $json.via }}", {"type": "string", "operation": "notEquals"}, "webhook"), "options": {}}, [x + 220, y], 2.2),
            node(f"{prefix} Refused", "n8n-nodes-base.stopAndError", {"errorMessage": "={{ $json.refused.error }}"}, [x + 440, y], 1)]


def refused_if(name, pos):
    return node(name, "n8n-nodes-base.if", {"conditions": condition(f"ad0c1e2f-0000-4000-8000-{hashlib.md5(name.encode()).hexdigest()[:12]}", "={{ $json.refused === undefined }}", IS_TRUE), "options": {}}, pos, 2.2)


def condition(id_, left, operator, right="", validation="strict"):
    """The conditions of an If or Filter node (v2 format) with one condition."""
    return {"combinator": "and", "options": {"caseSensitive": True, "leftValue": "", "typeValidation": validation, "version": 2},
            "conditions": [{"id": id_, "leftValue": left, "rightValue": right, "operator": operator}]}


IS_TRUE = {"type": "boolean", "operation": "true", "singleValue": True}


def link(*targets):
    return [[{"node": t, "type": "main", "index": 0} for t in targets]]


SUBMIT_NOTE = ("### Renders survive a crash\nEvery render is two steps: **(Submit)** sends the job and puts its ID on the item; the step after it waits and collects. "
               "The workflow saves its progress after every step (*Settings > Save execution progress*), so the job IDs are in n8n's database before any wait. "
               "If n8n or a queue worker dies mid-render, open the execution and **Retry** it (original workflow): it resumes at the waiting step and collects the renders already paid for.")


def split_renders(workflow, names, note_at):
    """Turns each named render node into a Submit Only node followed by the same node waiting.

    n8n saves an execution's data between nodes, not inside one: splitting submit from wait puts the
    paid job IDs into the saved execution (with saveExecutionProgress) before anything waits, so a
    retry after a crash collects them instead of paying again.
    """
    nodes = workflow["nodes"]
    connections = workflow["connections"]
    renders = [n for n in nodes if n["name"] in names]
    # Make room in the render rows: every column holding a render gets a second column for its waiting step.
    top, bottom = min(n["position"][1] for n in renders) - 100, max(n["position"][1] for n in renders) + 100
    for column in sorted({n["position"][0] for n in renders}, reverse=True):
        for other in nodes:
            if other["position"][0] > column and top <= other["position"][1] <= bottom and other["type"] != "n8n-nodes-base.stickyNote":
                other["position"] = [other["position"][0] + 220, other["position"][1]]
    for render in renders:
        name = render["name"]
        submit = {**render, "id": render["id"] + "-submit", "name": f"{name} (Submit)", "parameters": {**render["parameters"], "mode": "submit"}}
        render["position"] = [render["position"][0] + 220, render["position"][1]]
        nodes.insert(nodes.index(render), submit)
        for source in connections.values():
            for outputs in source["main"]:
                for target in outputs:
                    if target["node"] == name:
                        target["node"] = submit["name"]
        connections[submit["name"]] = {"main": link(name)}
    nodes.append(sticky("Crash Safe Renders", SUBMIT_NOTE, note_at, 460, 240))
    workflow["settings"]["saveExecutionProgress"] = True
    return workflow


STUDIO_SETTINGS = "Studio Settings"
STUDIO_ROOT = settings_root(STUDIO_SETTINGS)
STUDIO_SAMPLE = {
    "project": "Café launch",
    "runId": "cafe-launch-001",
    "script": "Mara unlocks the café at dawn. Steam curls from the espresso machine. Leo walks in from the rain. Mara hands Leo a cup: \"First one is on me.\" The sign flips to open.",
    "brief": "Warm, local, early-morning calm. Audience: commuters. Avoid logos other than ours.",
    "targetSeconds": 28,
    "budgetUsd": 40,
    "callbackUrl": "",
}

CHECK_BRIEF = r"""// Every brief (webhook, form, a calling workflow, the sample) is checked here, on the server,
// before anything is claimed, written or billed. Only a brief's own fields are read from the
// request: the delivery folder and the spend cap are this template's settings.
const REFUSAL_PREFIX = '';
""" + INTAKE_CHECKS + r"""const settings = $input.first().json;
const SAMPLE = """ + json.dumps(STUDIO_SAMPLE) + r""";
const executed = (name) => $(name).isExecuted;
const via = executed('Brief Webhook') ? 'webhook' : executed('Brief From Workflow') ? 'workflow' : 'sample';
// Called without a brief (n8n execute), the workflow trigger runs the sample; a caller's fields replace the sample's.
const body = via === 'webhook' ? $('Brief Webhook').first().json.body
  : via === 'workflow' ? { ...SAMPLE, ...$('Brief From Workflow').first().json } : $('Sample Brief').first().json;
try {
  if (!body || typeof body !== 'object' || Array.isArray(body)) refuse('body', 'must be a JSON object with the brief');
  const runId = safeId('runId', body.runId === undefined || body.runId === '' ? `brief-${$execution.id}` : body.runId);
  const project = safeName('project', body.project);
  if (!text(body.script)) refuse('script', 'is required');
  const targetSeconds = body.targetSeconds === undefined || body.targetSeconds === '' || body.targetSeconds === null ? 30 : Number(body.targetSeconds);
  if (!(targetSeconds >= 4 && targetSeconds <= settings.maxTargetSeconds)) refuse('targetSeconds', `must be a number of seconds from 4 to ${settings.maxTargetSeconds}`);
  const budgetUsd = budget(body.budgetUsd, settings.maxBudgetUsd);
  const callbackUrl = text(body.callbackUrl);
  if (callbackUrl && !/^https?:\/\/\S+$/i.test(callbackUrl)) refuse('callbackUrl', 'must be an http(s) URL');
  // A stored brand pin comes only from a calling workflow (the MCP tools), never from the open intake.
  const brandPin = via === 'workflow' && body.brandPin ? body.brandPin : undefined;
  return [{ json: { via, runId, project, script: text(body.script), brief: text(body.brief), targetSeconds, budgetUsd, callbackUrl, ...(brandPin ? { brandPin } : {}), claim: `${$execution.id}\n` } }];
} catch (error) {
  if (!error.field) throw error;
  return [{ json: { via, runId: typeof body?.runId === 'string' && SAFE_ID.test(body.runId) ? body.runId : undefined, refused: { status: error.status, field: error.field, error: error.message } } }];
}
"""

CLAIM_RESULT = r"""// The run is this execution's when its line is the first of <runId>-claims.txt: the file is only
// ever appended to (one line per brief that asked for the run ID), so two briefs with one run ID
// at the same moment agree on the winner. A later brief is refused: it never renders a run twice.
const brief = $('Check Brief').first().json;
const claims = String($json.data ?? '').split('\n').map((line) => line.trim()).filter(Boolean);
if (claims[0] === String($execution.id)) return [{ json: brief }];
return [{ json: { ...brief, refused: { status: 409, field: 'runId', claimedBy: claims[0],
  error: `runId: "${brief.runId}" is already rendering or delivered (claimed by execution ${claims[0]}); this brief was refused and nothing was billed. Send it with a new runId.` } } }];
"""


def claim_nodes(prefix, root, check, pos):
    """Append this execution's line to <runId>-claims.txt, read the file back and decide (see CLAIM_RESULT)."""
    x, y = pos
    claims = file_param(root, f"$('{check}').first().json.runId", "'claims.txt'")
    return [
        node(f"{prefix} Claim Line", "n8n-nodes-base.convertToFile", {"operation": "toText", "sourceProperty": "claim", "binaryPropertyName": "claim", "options": {"fileName": "claims.txt"}}, [x, y], 1.1),
        node(f"Write {prefix} Claim", "n8n-nodes-base.readWriteFile", {"operation": "write", "fileName": claims, "dataPropertyName": "claim", "options": {"append": True}}, [x + 220, y], 1.1),
        node(f"Read {prefix} Claims", "n8n-nodes-base.readWriteFile", {"operation": "read", "fileSelector": claims, "options": {}}, [x + 440, y], 1.1),
        # utf8 named: the encoding guessed from a few digits is not always one that reads them back.
        node(f"Parse {prefix} Claims", "n8n-nodes-base.extractFromFile", {"operation": "text", "binaryPropertyName": "data", "options": {"encoding": "utf8"}}, [x + 660, y], 1.1),
        code(f"{prefix} Claim Result", CLAIM_RESULT.replace("$('Check Brief')", f"$('{check}')"), [x + 880, y]),
    ]


# Only a form brief's own fields (and a run ID of the form's execution) go on; a sample field never fills a gap.
FORM_BRIEF = "={{ JSON.stringify({ runId: 'form-' + $execution.id, project: $json.project ?? '', script: $json.script ?? '', brief: $json.brief ?? '', targetSeconds: $json.targetSeconds ?? '', budgetUsd: $json.budgetUsd ?? '', callbackUrl: '' }) }}"


# Anchor clips kept as n8n binaries outlive their execution as files beside the run state: QC Router
# hands each out as `anchor_<tag>` (named as the anchor's clipFile in the run state), and a reshoot
# brings them back on the shot under the same property, so it is judged against the very take that
# set each character's anchor.
ANCHOR_CLIP_FILE = r"/^(?!.*\.\.)[A-Za-z0-9][A-Za-z0-9._:-]*-anchor-[A-Za-z][A-Za-z0-9_]{2,15}\.mp4$/"
KEEP_ANCHOR_CLIPS = ("// One file per anchor clip QC handed out (anchor_<tag>), under the name the run state gives it.\n"
                     f"const SAFE_FILE = {ANCHOR_CLIP_FILE};\n"
                     "return $input.all().flatMap((item) => Object.entries(item.binary || {})\n"
                     "  .filter(([key, clip]) => key.startsWith('anchor_') && SAFE_FILE.test(String(clip.fileName || '')))\n"
                     "  .map(([, clip]) => ({ json: { fileName: clip.fileName }, binary: { data: clip } })));\n")
ATTACH_ANCHOR_CLIPS = ("// The run's anchor clips (files beside its run state) ride on the shot as anchor_<tag>; QC Router\n"
                       "// judges the new take against them. No file (anchors kept by URL, or none yet) adds nothing.\n"
                       f"const SAFE_FILE = {ANCHOR_CLIP_FILE};\n"
                       "const clips = {};\n"
                       "for (const item of $('Read Anchor Clips').all()) {\n"
                       "  const clip = item.binary && item.binary.data;\n"
                       "  const name = String((clip && clip.fileName) || '');\n"
                       "  if (clip && SAFE_FILE.test(name)) clips['anchor_' + name.replace(/^.*-anchor-/, '').replace(/\\.mp4$/, '')] = clip;\n"
                       "}\n"
                       "return $('Accept Reshoot').all().map((item) => ({ json: item.json, binary: { ...(item.binary || {}), ...clips } }));\n")


def keep_anchor_clips(root, pos):
    """Keep Anchor Clips and Write Anchor Clips: each anchor clip QC handed out, written beside the run state."""
    return [code("Keep Anchor Clips", KEEP_ANCHOR_CLIPS, pos),
            node("Write Anchor Clips", "n8n-nodes-base.readWriteFile", {"operation": "write", "fileName": "={{ " + root + " + '/' + $json.fileName }}", "dataPropertyName": "data", "options": {}}, [pos[0] + 220, pos[1]], 1.1)]


def studio():
    callback = ("={{ JSON.stringify({ runId: $json.pipeline.runId, project: $json.pipeline.project, totals: $json.qcReport.totals, cost: $json.qcReport.cost, deliveryRoot: " + STUDIO_ROOT
                + ", report: " + file_name(STUDIO_ROOT, "$json.pipeline.runId", "'qc-report.html'") + " }) }}")
    studio_settings = {"deliveryRoot": DELIVERY_ROOT, "maxBudgetUsd": BUDGET_CAP, "maxTargetSeconds": 60}
    accepted = "={{ JSON.stringify({ accepted: true, runId: $json.runId, budgetUsd: $json.budgetUsd, message: 'Rendering; the masters and the QC report are delivered as ' + $json.runId + '-<file>.' }) }}"
    nodes = [
        sticky("Setup", "## Studio brief to delivery\n\n1. **Credentials**: select your OpenAI, Google (Vertex AI service account recommended) and Runway credentials on the render nodes, or import the sandbox's (`npm run sandbox` writes `sandbox-credentials.json`) to run without keys.\n"
               "2. **Intake**: the Webhook (*Brief webhook header* credential) and the Form (*Brief form login*, basic auth) both feed the storyboard; *Run Sample Brief* runs a bundled brief. *Check Brief* refuses a brief with a missing, zero, non-numeric or over-cap `budgetUsd`, or a `runId` outside letters, digits and `. _ : -` (the webhook answers 422 naming the field); a `runId` already rendering or delivered is refused with 409.\n"
               "3. **Settings** (*Studio Settings*): `deliveryRoot` (masters, QC report, timeline and run state go there as `<runId>-<file>`; the folder must exist inside n8n's allowed file area, `N8N_RESTRICT_FILE_ACCESS_TO`), `maxBudgetUsd` (the most one brief may spend; keep it equal to the MCP tools' cap) and `maxTargetSeconds`. A request never chooses a path.\n"
               "4. **Budgets**: `budgetUsd` is required on every brief and caps its run; QC Router's retry budget caps re-renders per shot.", [-3080, -560], 700, 420),
        sticky("Models", "### Models and layers\nStoryboard sends shots with characters or dialogue to **Veo** (hero) and the rest to **Runway** (b-roll). Change models on each render node; retired models fail with their replacement named.", [300, -460], 420, 200),
        node("Run Sample Brief", "n8n-nodes-base.manualTrigger", {}, [-3080, 0]),
        node("Sample Brief", "n8n-nodes-base.set", {"mode": "raw", "jsonOutput": json.dumps(STUDIO_SAMPLE, indent=2), "options": {}}, [-2860, 0], 3.4),
        node("Brief Webhook", "n8n-nodes-base.webhook", {"httpMethod": "POST", "path": "video-brief", "authentication": "headerAuth", "responseMode": "responseNode", "options": {}}, [-3080, 200], 2.1, INTAKE_AUTH, webhookId="5f0d1b1e-3c57-4b0e-9a55-6d1d3f4c2a10"),
        node("Brief Form", "n8n-nodes-base.formTrigger", {"authentication": "basicAuth", "formTitle": "Video brief", "formDescription": f"Describe the spot; the pipeline storyboards, renders, checks and delivers it. Budget: at most ${BUDGET_CAP}.", "formFields": {"values": [
            {"fieldLabel": "project", "requiredField": True},
            {"fieldLabel": "script", "fieldType": "textarea", "requiredField": True},
            {"fieldLabel": "brief", "fieldType": "textarea"},
            {"fieldLabel": "targetSeconds", "fieldType": "number"},
            {"fieldLabel": "budgetUsd", "fieldType": "number", "requiredField": True},
        ]}, "options": {}}, [-3080, 400], 2.2, FORM_AUTH, webhookId="7c1b8e2a-6d0f-4a7b-8c2e-1f3a5d9b7e40"),
        # n8n refuses Respond to Webhook nodes downstream of a Form Trigger: the form hands its brief to
        # this workflow's own workflow trigger, so it is checked (and refused) like any other.
        node("Form Brief", "n8n-nodes-base.set", {"mode": "raw", "jsonOutput": FORM_BRIEF, "options": {}}, [-2860, 400], 3.4),
        execute_workflow("Start Form Brief", "vpStudioBriefDelivery", [-2640, 400], wait=False),
        node("Brief From Workflow", "n8n-nodes-base.executeWorkflowTrigger", {"inputSource": "passthrough"}, [-3080, 600], 1.1),
        node(STUDIO_SETTINGS, "n8n-nodes-base.set", {"mode": "raw", "jsonOutput": json.dumps(studio_settings, indent=2), "options": {}}, [-2640, 300], 3.4),
        code("Check Brief", CHECK_BRIEF, [-2420, 300]),
        refused_if("Brief Valid?", [-2200, 300]),
        *claim_nodes("Run", STUDIO_ROOT, "Check Brief", [-1980, 200]),
        refused_if("Run Claimed?", [-880, 200]),
        respond("Accept Brief", [-660, 100], accepted, 200),
        *refusal_nodes("Brief", [-660, 500]),
        node("Storyboard", f"{PKG}.openAiStoryboard", {"resource": "storyboard", "operation": "createManifest", "model": "gpt-5.4-mini", "script": "={{ $json.script }}", "brandBrief": "={{ $json.brief }}", "targetSeconds": "={{ $json.targetSeconds }}", "aspectRatios": ["16:9"], "variants": 1, "layerPolicy": "dialogueHero", "outputShape": "shots", "run": {"runId": "={{ $json.runId }}", "project": "={{ $json.project }}", "budgetUsd": "={{ $json.budgetUsd }}", "resolution": "720p", "heroDurations": "8"}}, [-440, 200], 1, CRED["openai"]),
        node("Brand Pin Given?", "n8n-nodes-base.if", {"conditions": condition("9c2d4e6f-1a3b-4c5d-8e7f-000000000002", "={{ !!$json.brandPin }}", IS_TRUE), "options": {}}, [-300, 200], 2.2),
        node("Apply Brand Pin", f"{PKG}.pinState", {"resource": "pin", "operation": "apply", "pinJson": "={{ $json.brandPin }}"}, [-120, 320]),
        node("Pin State", f"{PKG}.pinState", {"resource": "pin", "operation": "create", "useManifestCharacters": True, "grade": {"palette": "#335577, #F4E3C1", "look": "cool dawn light, soft contrast"}, "audioBed": {"mood": "calm, hopeful", "tempoBpm": 84, "dialogueLanguage": "en", "loudnessLufs": -14}, "style": "photoreal, 35mm, natural light", "negativePrompt": "text, watermark, extra fingers", "seedPolicy": "per_shot", "seedBase": 1000}, [-120, 100]),
        node("QC Router", f"{PKG}.qcRouter", {"retries": {"narrative": 1, "hero": 2, "control": 2}, "barrier": "run", **JUDGE}, [80, 200], 1, CRED["vertex"]),
        node("Sora (Gateway)", f"{PKG}.openAiStoryboard", {"resource": "video", "operation": "render", "model": "sora-2", "shotSource": "item", "inputReference": "none", "renderOptions": RENDER}, [360, -40], 1, CRED["openai"]),
        node("Veo Hero", f"{PKG}.googleVeo", {"resource": "video", "operation": "generate", "model": "veo-3.1-fast-generate-001", "shotSource": "item", "referenceMode": "pin", "generateAudio": True, "renderOptions": RENDER}, [360, 160], 1, CRED["vertex"]),
        node("Runway B-Roll", f"{PKG}.runway", {"resource": "video", "operation": "textToVideo", "model": "gen4.5", "shotSource": "item", "renderOptions": RENDER}, [360, 360], 1, CRED["runway"]),
        deliver("Write Masters", STUDIO_ROOT, "$json.shot.id + '.mp4'", "data", [700, 560]),
        node("Report Only", "n8n-nodes-base.limit", {"maxItems": 1}, [900, 560]),
        deliver("Write QC Report", STUDIO_ROOT, "'qc-report.html'", "qc_report_html", [1100, 560]),
        deliver("Write QC JSON", STUDIO_ROOT, "'qc-report.json'", "qc_report_json", [1300, 560]),
        deliver("Write Timeline", STUDIO_ROOT, "'timeline.otio'", "timeline_otio", [1500, 560]),
        deliver("Write EDL", STUDIO_ROOT, "'timeline.edl'", "timeline_edl", [1700, 560]),
        deliver("Write Run State", STUDIO_ROOT, "'run-state.json'", "run_state_json", [1900, 560]),
        *keep_anchor_clips(STUDIO_ROOT, [1100, 760]),
        node("Client Callback?", "n8n-nodes-base.filter", {"conditions": condition("9c2d4e6f-1a3b-4c5d-8e7f-000000000001", "={{ $json.callbackUrl }}", {"type": "string", "operation": "notEmpty", "singleValue": True}, validation="loose"), "options": {}}, [2100, 560], 2.2),
        node("Client Callback", "n8n-nodes-base.httpRequest", {"method": "POST", "url": "={{ $json.callbackUrl }}", "sendBody": True, "specifyBody": "json", "jsonBody": callback, "options": {"timeout": 30000}}, [2300, 560], 4.2),
        sticky("Delivery", "### Delivery\n**All Done** fires once per run, after every shot passed or needs review. Shots that need review are delivered too and listed in the report. When the brief has a `callbackUrl`, the run's summary (totals, cost per layer, report path) is POSTed to it. For one graded master with the music bed, run *Video pipeline: assemble the cut* (needs ffmpeg and Execute Command).", [700, 760], 520, 160),
    ]
    connections = {
        "Run Sample Brief": {"main": link("Sample Brief")},
        "Sample Brief": {"main": link(STUDIO_SETTINGS)},
        "Brief Webhook": {"main": link(STUDIO_SETTINGS)},
        "Brief Form": {"main": link("Form Brief")},
        "Form Brief": {"main": link("Start Form Brief")},
        "Brief From Workflow": {"main": link(STUDIO_SETTINGS)},
        STUDIO_SETTINGS: {"main": link("Check Brief")},
        "Check Brief": {"main": link("Brief Valid?")},
        "Brief Valid?": {"main": [link("Run Claim Line")[0], link("Refuse Brief")[0]]},
        "Run Claim Line": {"main": link("Write Run Claim")},
        "Write Run Claim": {"main": link("Read Run Claims")},
        "Read Run Claims": {"main": link("Parse Run Claims")},
        "Parse Run Claims": {"main": link("Run Claim Result")},
        "Run Claim Result": {"main": link("Run Claimed?")},
        "Run Claimed?": {"main": [link("Accept Brief")[0], link("Refuse Brief")[0]]},
        "Accept Brief": {"main": link("Storyboard")},
        "Refuse Brief": {"main": link("Brief Not From Webhook")},
        "Brief Not From Webhook": {"main": link("Brief Refused")},
        "Storyboard": {"main": link("Brand Pin Given?")},
        # A brief may carry a stored brand pin (the MCP tools do): then that look is applied, not a new one made.
        "Brand Pin Given?": {"main": [link("Apply Brand Pin")[0], link("Pin State")[0]]},
        "Apply Brand Pin": {"main": link("QC Router")},
        "Pin State": {"main": link("QC Router")},
        "QC Router": {"main": [[], link("Sora (Gateway)")[0], link("Veo Hero")[0], link("Runway B-Roll")[0], [], link("Write Masters")[0]]},
        "Sora (Gateway)": {"main": link("QC Router")},
        "Veo Hero": {"main": link("QC Router")},
        "Runway B-Roll": {"main": link("QC Router")},
        "Write Masters": {"main": link("Report Only")},
        "Report Only": {"main": [link("Write QC Report")[0] + link("Keep Anchor Clips")[0]]},
        "Keep Anchor Clips": {"main": link("Write Anchor Clips")},
        "Write QC Report": {"main": link("Write QC JSON")},
        "Write QC JSON": {"main": link("Write Timeline")},
        "Write Timeline": {"main": link("Write EDL")},
        "Write EDL": {"main": link("Write Run State")},
        "Write Run State": {"main": link("Client Callback?")},
        "Client Callback?": {"main": link("Client Callback")},
    }
    workflow = {"id": "vpStudioBriefDelivery", "name": "Video pipeline: studio brief to delivery", "active": False, "nodes": nodes, "connections": connections, "settings": {"executionOrder": "v1", "errorWorkflow": "vpErrorReporter"}, "pinData": {}}
    return split_renders(workflow, ["Sora (Gateway)", "Veo Hero", "Runway B-Roll"], [760, -460])


BY_REFERENCE_NOTE = ("## Clips by reference (queue mode, big renders)\nThe studio template with every render's *Output* set to **Reference Only**: a take keeps the vendor's URL or `gs://` URI, "
                     "the QC Router reads each clip by HTTP range with the vendor credentials set on it (about 64 KB per clip), and the masters are fetched only at delivery (*Fetch ... Masters*), "
                     "one per vendor, each fetching just the shots whose final take is its own. A rejected take never enters n8n's binary store.\n\n"
                     "**Veo on Vertex AI** writes to Cloud Storage: set *Cloud Storage Output* on both Veo nodes to a bucket the service account can write. Runway's signed URLs expire after a day or two; "
                     "the Runway fetch reads a fresh one.")


def studio_by_reference():
    """The studio template for queue mode: clips stay with the vendors until delivery."""
    workflow = studio()
    workflow.update(id="vpStudioByReference", name="Video pipeline: studio brief to delivery (clips by reference)")
    nodes = workflow["nodes"]
    by_name = {n["name"]: n for n in nodes}
    for n in nodes:
        if "renderOptions" in n["parameters"]:
            n["parameters"]["renderOptions"] = {**n["parameters"]["renderOptions"], "output": "reference"}
        if n["type"] == f"{PKG}.googleVeo":
            n["parameters"]["veoOptions"] = {"storageUri": "gs://video-pipeline-renders/studio/"}
    by_name["QC Router"]["credentials"] = {**CRED["openai"], **CRED["vertex"]}
    by_name["Brief Webhook"]["parameters"]["path"] = "video-brief-by-reference"
    by_name["Brief Webhook"]["webhookId"] = "0d6e2b7a-1c3f-4a5e-8b9d-7f2a4c6e8b10"
    by_name["Brief Form"]["webhookId"] = "4a8c2e6b-3d5f-4b7a-9c1e-5f7b9d1a3c20"
    by_name["Start Form Brief"]["parameters"]["workflowId"]["value"] = "vpStudioByReference"
    x, y = by_name["Write Masters"]["position"]
    for n in nodes:
        if n["position"][1] == y and n["position"][0] >= x:
            n["position"] = [n["position"][0] + 660, y]
    fetch = {"source": "take", "otherVendors": "passThrough", "binaryPropertyName": "data"}
    nodes += [
        node("Fetch Veo Masters", f"{PKG}.googleVeo", {"resource": "video", "operation": "download", **fetch}, [x, y], 1, CRED["vertex"]),
        node("Fetch Sora Masters", f"{PKG}.openAiStoryboard", {"resource": "video", "operation": "download", "variant": "video", **fetch}, [x + 220, y], 1, CRED["openai"]),
        node("Fetch Runway Masters", f"{PKG}.runway", {"resource": "task", "operation": "download", **fetch}, [x + 440, y], 1, CRED["runway"]),
        sticky("By Reference", BY_REFERENCE_NOTE, [-900, -900], 720, 300, 5),
    ]
    connections = workflow["connections"]
    connections["QC Router"]["main"][5] = link("Fetch Veo Masters")[0]
    connections["Fetch Veo Masters"] = {"main": link("Fetch Sora Masters")}
    connections["Fetch Sora Masters"] = {"main": link("Fetch Runway Masters")}
    connections["Fetch Runway Masters"] = {"main": link("Write Masters")}
    return workflow


RESHOOT_SETTINGS = "Reshoot Settings"
RESHOOT_ROOT = settings_root(RESHOOT_SETTINGS)

RESHOOT_SAMPLE = {"runId": "cafe-launch-001", "shotId": "shot-02", "note": "Slower steam, tighter framing.", "budgetUsd": 5}

RESHOOT_CHECK = r"""// Every reshoot request (webhook, a calling workflow, the sample) is checked here before its run
// state is read: runId and shotId pass the contract's safe character set before they name a file,
// and budgetUsd is required within this template's cap. The delivery folder is a setting.
const REFUSAL_PREFIX = '';
""" + INTAKE_CHECKS + r"""const settings = $input.first().json;
const executed = (name) => $(name).isExecuted;
const via = executed('Reshoot Webhook') ? 'webhook' : executed('Reshoot From Workflow') ? 'workflow' : 'sample';
// Called without a request (n8n execute), the workflow trigger reshoots the sample; a caller's fields replace the sample's.
const SAMPLE = """ + json.dumps(RESHOOT_SAMPLE) + r""";
const body = via === 'webhook' ? $('Reshoot Webhook').first().json.body : via === 'workflow' ? { ...SAMPLE, ...$('Reshoot From Workflow').first().json } : $('Sample Request').first().json;
try {
  if (!body || typeof body !== 'object' || Array.isArray(body)) refuse('body', 'must be a JSON object with the reshoot request');
  const runId = safeId('runId', body.runId, 128);
  const shotId = safeId('shotId', body.shotId, 64);
  const budgetUsd = budget(body.budgetUsd, settings.maxBudgetUsd);
  const note = text(body.note).slice(0, 1000);
  return [{ json: { via, runId, shotId, note, budgetUsd } }];
} catch (error) {
  if (!error.field) throw error;
  return [{ json: { via, refused: { status: error.status, field: error.field, error: error.message } } }];
}
"""

PICK_SHOT = r"""// The shot to reshoot, from the run's state (merged from every execution that wrote it): a retry
// of the layer that rendered it last, with a new seed and the note. Its budget is the run's own and
// at most budgetUsd more than the whole run has spent (each charge counted once).
""" + MERGE_RUN_STATE + r"""const request = $('Reshoot Request').first().json;
const refused = (status, field, error) => [{ json: { ...request, refused: { status, field, error } } }];
const state = mergeRunState(request.runId, $input.all().map((entry) => entry.json.data));
if (!state) return refused(404, 'runId', `runId: no run state for "${request.runId}" in the delivery folder (deliver the run first); nothing was billed`);
const item = state.shots.find((s) => s.shot.id === request.shotId);
if (!item) return refused(404, 'shotId', `shotId: no shot "${request.shotId}" in run ${request.runId} (it has ${state.shots.map((s) => s.shot.id).join(', ')}); nothing was billed`);
const layer = item.takes.length ? item.takes[item.takes.length - 1].layer : item.shot.layer === 'hero' ? 'hero' : 'control';
const attempts = { narrative: 0, hero: 0, control: 0, ...(item.qc ? item.qc.attempts : {}) };
attempts[layer] += 1;
const charges = new Map();
for (const entry of state.shots.flatMap((s) => s.ledger)) charges.set(`${entry.layer}|${entry.vendor}|${entry.model}|${entry.jobId}`, entry.usd);
const spentUsd = Math.round([...charges.values()].reduce((sum, usd) => sum + usd, 0) * 1e6) / 1e6;
const cap = Math.round((spentUsd + request.budgetUsd) * 1e6) / 1e6;
const budgetUsd = Math.min(item.pipeline.budgetUsd ?? cap, cap);
return [{ json: { ...item,
  pipeline: { ...item.pipeline, spentUsd: Math.max(item.pipeline.spentUsd, spentUsd), budgetUsd },
  // What the render node may spend: the run's budget less everything the stored state says it spent.
  allowance: { usd: Math.max(0, Math.round((budgetUsd - Math.max(item.pipeline.spentUsd, spentUsd)) * 1e6) / 1e6), grantedBy: 'reshoot' },
  qc: { attempts, verdicts: [], status: 'retry' }, retryHint: { layer, newSeed: true, ...(request.note ? { note: request.note } : {}) } } }];
"""

RESHOOT_STATE = r"""// This reshoot's own record of the shot as QC left it (new take and charges included), in a file
// no other execution writes: two reshoots of one run at once can never drop each other's take.
const request = $('Reshoot Request').first().json;
return [{ json: { runId: request.runId, reshoot: request.shotId, execution: String($execution.id), writtenAt: new Date().toISOString(), item: $json } }];
"""

MERGED_RUN_STATE = r"""// <runId>-run-state.json rewritten from every execution's record, so the assemble step and any
// reader of the one file see this reshoot (and any that ran beside it).
""" + MERGE_RUN_STATE + r"""const request = $('Reshoot Request').first().json;
return [{ json: mergeRunState(request.runId, $input.all().map((entry) => entry.json.data)) }];
"""


def run_state_files(root, run):
    """The glob of a run's state files: <runId>-run-state.json and every reshoot's <runId>-run-state.<shot>.<execution>.json."""
    return file_param(root, run, "'run-state*.json'")


def reshoot():
    sample = RESHOOT_SAMPLE
    reshoot_settings = {"deliveryRoot": DELIVERY_ROOT, "maxBudgetUsd": BUDGET_CAP}
    request = "$('Reshoot Request').first().json"
    accepted = "={{ JSON.stringify({ accepted: true, runId: $('Reshoot Request').first().json.runId, shotId: $('Reshoot Request').first().json.shotId, budgetUsd: $('Reshoot Request').first().json.budgetUsd }) }}"
    nodes = [
        sticky("About", "## Reshoot one shot\nPOST `{ runId, shotId, note, budgetUsd }` to the webhook (*Brief webhook header*), call it from another workflow, or run the sample. The run's saved state (`<runId>-run-state.json`, written by the studio template, plus one file per earlier reshoot) gives the shot, its pin and its takes; only that shot is rendered again (new seed, your note added), checked by QC and delivered over its old master. "
               "`budgetUsd` is required: at most that much on top of what the run has spent, and never more than *Reshoot Settings* `maxBudgetUsd`; the run's own budget always holds. The delivery folder is `deliveryRoot` in *Reshoot Settings*. A refused request (bad `runId`/`shotId`, budget, unknown run or shot) answers 422 or 404 naming the field; nothing is billed.", [-1340, -340], 620, 280),
        node("Reshoot Sample", "n8n-nodes-base.manualTrigger", {}, [-1340, 0]),
        node("Sample Request", "n8n-nodes-base.set", {"mode": "raw", "jsonOutput": json.dumps(sample, indent=2), "options": {}}, [-1120, 0], 3.4),
        node("Reshoot Webhook", "n8n-nodes-base.webhook", {"httpMethod": "POST", "path": "video-reshoot", "authentication": "headerAuth", "responseMode": "responseNode", "options": {}}, [-1340, 200], 2.1, INTAKE_AUTH, webhookId="9b2c4d6e-8f10-4a2b-9c3d-5e7f9a1b3c50"),
        # Called without a request (n8n execute), it reshoots the sample; a caller's fields replace the sample's.
        node("Reshoot From Workflow", "n8n-nodes-base.executeWorkflowTrigger", {"inputSource": "passthrough"}, [-1340, 400], 1.1),
        node(RESHOOT_SETTINGS, "n8n-nodes-base.set", {"mode": "raw", "jsonOutput": json.dumps(reshoot_settings, indent=2), "options": {}}, [-900, 200], 3.4),
        code("Reshoot Request", RESHOOT_CHECK, [-680, 200]),
        refused_if("Request Valid?", [-460, 200]),
        *read_json("Run State", run_state_files(RESHOOT_ROOT, "$json.runId"), [-240, 100], missing_ok=True),
        code("Pick Shot", PICK_SHOT, [200, 100]),
        refused_if("Shot Found?", [420, 100]),
        respond("Accept Reshoot", [640, 0], accepted, 200),
        node("Read Anchor Clips", "n8n-nodes-base.readWriteFile", {"operation": "read", "fileSelector": "={{ " + file_name(RESHOOT_ROOT, f"{request}.runId", "'anchor-*.mp4'") + " }}", "options": {}}, [640, -200], 1.1, onError="continueRegularOutput", alwaysOutputData=True),
        code("Attach Anchor Clips", ATTACH_ANCHOR_CLIPS, [860, -200]),
        *refusal_nodes("Reshoot", [640, 400]),
        node("Hero Shot?", "n8n-nodes-base.if", {"conditions": condition("c0a1b2c3-0000-4000-8000-000000000001", "={{ $json.retryHint.layer }}", {"type": "string", "operation": "equals"}, "hero"), "options": {}}, [860, 0], 2.2),
        node("Veo Hero", f"{PKG}.googleVeo", {"resource": "video", "operation": "generate", "model": "veo-3.1-fast-generate-001", "shotSource": "item", "referenceMode": "pin", "generateAudio": True, "renderOptions": RENDER}, [1120, -100], 1, CRED["vertex"]),
        node("Runway B-Roll", f"{PKG}.runway", {"resource": "video", "operation": "textToVideo", "model": "gen4.5", "shotSource": "item", "renderOptions": RENDER}, [1120, 120], 1, CRED["runway"]),
        node("QC Router", f"{PKG}.qcRouter", {"retries": {"narrative": 1, "hero": 3, "control": 3}, "barrier": "item", **JUDGE}, [1380, 0], 1, CRED["vertex"]),
        # A shot QC sent to review without a new clip (a refused or failed render) has no master to write:
        # the reshoot fails with QC's reason, and the old master stays.
        node("Reshoot Rendered?", "n8n-nodes-base.if", {"conditions": condition("c0a1b2c3-0000-4000-8000-000000000002", "={{ $binary.data !== undefined }}", IS_TRUE), "options": {}}, [1500, 420], 2.2),
        node("Nothing Rendered", "n8n-nodes-base.stopAndError", {"errorMessage": "={{ 'Shot ' + $json.shot.id + ' was not reshot: ' + ($json.reviewReason || 'no clip came back') }}"}, [1720, 520], 1),
        deliver("Write Master", RESHOOT_ROOT, "$json.shot.id + '.mp4'", "data", [1640, 260]),
        *keep_anchor_clips(RESHOOT_ROOT, [1860, 60]),
        deliver("Write Reshoot QC", RESHOOT_ROOT, "$json.shot.id + '-reshoot-qc.json'", "qc_report_json", [1860, 260]),
        code("Reshoot State", RESHOOT_STATE, [2080, 260]),
        node("Reshoot State File", "n8n-nodes-base.convertToFile", {"operation": "toJson", "mode": "each", "options": {"format": True, "fileName": "run-state.json"}}, [2300, 260], 1.1),
        node("Write Reshoot State", "n8n-nodes-base.readWriteFile", {"operation": "write", "fileName": file_param(RESHOOT_ROOT, f"{request}.runId", f"'run-state.' + {request}.shotId + '.' + $execution.id + '.json'"), "dataPropertyName": "data", "options": {}}, [2520, 260], 1.1),
        *read_json("Run States", run_state_files(RESHOOT_ROOT, f"{request}.runId"), [2740, 260], executeOnce=True),
        code("Merged Run State", MERGED_RUN_STATE, [3180, 260]),
        node("Run State File", "n8n-nodes-base.convertToFile", {"operation": "toJson", "mode": "each", "options": {"format": True, "fileName": "run-state.json"}}, [3400, 260], 1.1),
        node("Write Run State", "n8n-nodes-base.readWriteFile", {"operation": "write", "fileName": file_param(RESHOOT_ROOT, f"{request}.runId", "'run-state.json'"), "dataPropertyName": "data", "options": {}}, [3620, 260], 1.1),
    ]
    connections = {
        "Reshoot Sample": {"main": link("Sample Request")},
        "Sample Request": {"main": link(RESHOOT_SETTINGS)},
        "Reshoot Webhook": {"main": link(RESHOOT_SETTINGS)},
        "Reshoot From Workflow": {"main": link(RESHOOT_SETTINGS)},
        RESHOOT_SETTINGS: {"main": link("Reshoot Request")},
        "Reshoot Request": {"main": link("Request Valid?")},
        "Request Valid?": {"main": [link("Read Run State")[0], link("Refuse Reshoot")[0]]},
        "Read Run State": {"main": link("Parse Run State")},
        "Parse Run State": {"main": link("Pick Shot")},
        "Pick Shot": {"main": link("Shot Found?")},
        "Shot Found?": {"main": [link("Accept Reshoot")[0], link("Refuse Reshoot")[0]]},
        "Accept Reshoot": {"main": link("Read Anchor Clips")},
        "Read Anchor Clips": {"main": link("Attach Anchor Clips")},
        "Attach Anchor Clips": {"main": link("Hero Shot?")},
        "Refuse Reshoot": {"main": link("Reshoot Not From Webhook")},
        "Reshoot Not From Webhook": {"main": link("Reshoot Refused")},
        "Hero Shot?": {"main": [link("Veo Hero")[0], link("Runway B-Roll")[0]]},
        "Veo Hero": {"main": link("QC Router")},
        "Runway B-Roll": {"main": link("QC Router")},
        "QC Router": {"main": [[], [], link("Veo Hero")[0], link("Runway B-Roll")[0], [], link("Reshoot Rendered?")[0]]},
        "Reshoot Rendered?": {"main": [link("Write Master")[0], link("Nothing Rendered")[0]]},
        "Write Master": {"main": [link("Write Reshoot QC")[0] + link("Keep Anchor Clips")[0]]},
        "Keep Anchor Clips": {"main": link("Write Anchor Clips")},
        "Write Reshoot QC": {"main": link("Reshoot State")},
        "Reshoot State": {"main": link("Reshoot State File")},
        "Reshoot State File": {"main": link("Write Reshoot State")},
        "Write Reshoot State": {"main": link("Read Run States")},
        "Read Run States": {"main": link("Parse Run States")},
        "Parse Run States": {"main": link("Merged Run State")},
        "Merged Run State": {"main": link("Run State File")},
        "Run State File": {"main": link("Write Run State")},
    }
    workflow = {"id": "vpReshootOneShot", "name": "Video pipeline: reshoot one shot", "active": False, "nodes": nodes, "connections": connections, "settings": {"executionOrder": "v1", "errorWorkflow": "vpErrorReporter"}, "pinData": {}}
    return split_renders(workflow, ["Veo Hero", "Runway B-Roll"], [-300, -340])


CAMPAIGN_TABLE = "video_campaigns"
RUN_TABLE = "video_campaign_runs"
CAMPAIGN_COLUMNS = [("brand", "string"), ("product", "string"), ("script", "string"), ("brief", "string"), ("referenceImages", "string"), ("look", "string"),
                    ("variants", "number"), ("aspectRatios", "string"), ("targetSeconds", "number"), ("budgetUsd", "number"),
                    ("status", "string"), ("batch", "string"), ("runsDelivered", "number"), ("shotsPassed", "number"), ("shotsNeedReview", "number"), ("costUsd", "number"), ("deliveredAt", "string")]
RUN_COLUMNS = [("campaignId", "number"), ("batch", "string"), ("brand", "string"), ("runId", "string"), ("variant", "string"), ("aspectRatio", "string"), ("status", "string"),
               ("shots", "number"), ("passed", "number"), ("needsReview", "number"), ("rerenders", "number"), ("costUsd", "number"), ("expectedRuns", "number"), ("reportFile", "string"), ("deliveredAt", "string")]


def table_ref(name):
    return {"__rl": True, "mode": "name", "value": name}


def table_columns(columns):
    return {"column": [{"name": n, "type": t} for n, t in columns]}


def mapped(values, columns):
    """A Data Table resource mapper with the columns it writes (the schema lets the editor show them)."""
    types = dict(columns)
    return {"mappingMode": "defineBelow", "value": values, "matchingColumns": [], "schema": [
        {"id": k, "displayName": k, "required": False, "defaultMatch": False, "display": True, "type": types[k], "canBeUsedToMatch": True} for k in values]}


def where(column, value, condition="eq"):
    return {"conditions": [{"keyName": column, "condition": condition, "keyValue": value}]}


BATCH_ROOT = settings_root("Batch Settings")
# The most one campaign may spend (split over its runs), in USD.
BATCH_BUDGET_CAP = 100

CLAIMED_BRIEFS = r"""// Only the campaigns this batch's claim updated go on: the claim changes a row only while it is
// still queued (compare and swap), so a batch that fires beside another renders none of its campaigns.
const batch = String($execution.id);
const claimed = new Set($input.all().map((item) => item.json).filter((row) => row.id !== undefined && String(row.batch) === batch).map((row) => row.id));
return $('Campaign Briefs').all().filter((item) => claimed.has(item.json.campaign.id)).map((item) => ({ json: item.json }));
"""

CAMPAIGN_BRIEFS = r"""// One storyboard request per campaign: every variant in every format. Veo renders 16:9 and 9:16
// only, so the storyboard puts the shots of 1:1 runs on Runway (see Formats). Every campaign is
// checked before any is claimed: a bad row stops the batch with the campaign and field named,
// before anything is billed.
const REFUSAL_PREFIX = '';
""" + INTAKE_CHECKS + r"""const settings = $('Batch Settings').first().json;
return $input.all().map((item) => {
  const c = item.json;
  const named = (check) => { try { return check(); } catch (error) { throw new Error(`Campaign ${c.id} (${shown(c.brand)}): ${error.message}`); } };
  const brand = named(() => safeName('brand', c.brand));
  const product = named(() => safeName('product', c.product, false));
  const budgetUsd = named(() => budget(c.budgetUsd, settings.maxBudgetUsd));
  const ratios = String(c.aspectRatios || '16:9').split(',').map((r) => r.trim()).filter(Boolean);
  const unknown = ratios.filter((r) => !['9:16', '1:1', '16:9'].includes(r));
  if (unknown.length) throw new Error(`Campaign ${c.id} (${c.brand}): aspectRatios: ${unknown.join(', ')} is not 9:16, 1:1 or 16:9`);
  if (!String(c.script || '').trim()) throw new Error(`Campaign ${c.id} (${c.brand}): script: is required`);
  const variants = Math.max(1, Math.floor(Number(c.variants) || 1));
  const runs = variants * ratios.length;
  const slug = brand.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'brand';
  return {
    json: {
      campaign: { id: c.id, brand, product, referenceImages: c.referenceImages || '', look: c.look || '' },
      productTag: (product.toLowerCase().match(/[a-z][a-z0-9_]{2,15}/) || ['product'])[0],
      script: c.script,
      brief: c.brief || '',
      targetSeconds: Number(c.targetSeconds) || 20,
      aspectRatios: ratios,
      variants,
      expectedRuns: runs,
      // The campaign's cap is split evenly over its runs; each run's renders refuse to pass its share.
      budgetPerRunUsd: Math.floor((100 * budgetUsd) / runs) / 100,
      batch: String($execution.id),
      runIdBase: named(() => safeId('runId', `${slug}-c${c.id}-${$now.toFormat('yyyyLLdd')}`)),
    },
    pairedItem: item.pairedItem,
  };
});
"""


def batch():
    settings = {"deliveryRoot": DELIVERY_ROOT, "maxCampaignsPerBatch": 20, "maxBudgetUsd": BATCH_BUDGET_CAP, "seedSampleCampaigns": True}
    samples = {"rows": [
        {"brand": "Lumen Coffee", "product": "Lumen Cold Brew", "script": "Ava opens the fridge and finds a Lumen can. Ava cracks the Lumen open on a sunny balcony. Condensation runs down the cold can. Ava smiles: \"Morning, sorted.\"",
         "brief": "Bright, upbeat, urban mornings. Product label always readable.", "referenceImages": "", "look": "bright morning sun, warm highlights", "variants": 2, "aspectRatios": "9:16,1:1", "targetSeconds": 20, "budgetUsd": 60, "status": "queued"},
        {"brand": "Northwind Outdoors", "product": "Ridge Shell Jacket", "script": "Rain sweeps across a mountain ridge. Jonas zips the Ridge shell and keeps climbing. Sunlight breaks through the clouds.",
         "brief": "Rugged, honest, no studio gloss.", "referenceImages": "", "look": "overcast, desaturated greens, crisp contrast", "variants": 1, "aspectRatios": "16:9", "targetSeconds": 16, "budgetUsd": 30, "status": "queued"},
    ]}
    run_status = (
        "={{ JSON.stringify({ campaignId: $json.campaign.id, batch: $json.batch, brand: $json.campaign.brand, runId: $json.pipeline.runId, variant: $json.pipeline.variant, "
        "aspectRatio: $json.shot.aspectRatio, status: $json.qcReport.totals.needsReview > 0 ? 'needs_review' : 'delivered', shots: $json.qcReport.totals.shots, "
        "passed: $json.qcReport.totals.passed, needsReview: $json.qcReport.totals.needsReview, rerenders: $json.qcReport.totals.rerenders, costUsd: $json.qcReport.cost.totalUsd, "
        "expectedRuns: $json.expectedRuns, reportFile: " + file_name(BATCH_ROOT, "$json.pipeline.runId", "'qc-report.html'") + ", deliveredAt: $now.toISO() }) }}"
    )
    campaign_status = (
        "={{ JSON.stringify({ id: $json.campaignId, runsDelivered: $json.count_runId, costUsd: Math.round($json.sum_costUsd * 1e4) / 1e4, shotsPassed: $json.sum_passed, "
        "shotsNeedReview: $json.sum_needsReview, status: $json.count_runId < $json.expectedRuns ? 'rendering' : ($json.sum_needsReview > 0 ? 'needs_review' : 'delivered'), "
        "deliveredAt: $json.count_runId < $json.expectedRuns ? '' : $now.toISO() }) }}"
    )
    campaign_fields = ["status", "runsDelivered", "shotsPassed", "shotsNeedReview", "costUsd", "deliveredAt"]
    run_fields = [name for name, _ in RUN_COLUMNS]
    nodes = [
        sticky("Setup", "## Scheduled ad batch\nEvery night (or when *Run Batch Now* / the webhook fires) the queued rows of the **video_campaigns** Data Table are claimed, storyboarded, pinned **once per brand**, rendered as N variants x aspect ratios in one batch, checked by QC and delivered per brand. Each run's result lands in **video_campaign_runs**; the campaign row gets its status, cost and shot counts.\n\n1. **Credentials**: OpenAI, Google (Vertex AI) and Runway on the render nodes, or the sandbox's to run without keys.\n2. **Tables** are created on the first run; with `seedSampleCampaigns` the empty table gets two sample campaigns. Turn that off in *Batch Settings* once you add your own.\n3. **Queue a campaign**: add a row with status `queued` and a `budgetUsd` (required, at most `maxBudgetUsd` in *Batch Settings*).\n4. **Claims**: a campaign is claimed only while its row is still `queued` (the update filters on id and status), so a schedule firing beside the webhook never renders it twice.", [-1500, -520], 640, 360),
        sticky("Columns", "### video_campaigns\n`brand`, `product`, `script` (mention the product by name so its reference images ride along), `brief`, `referenceImages` (image URLs, comma-separated), `look`, `variants`, `aspectRatios` (`9:16,1:1,16:9`), `targetSeconds`, `budgetUsd` (the campaign's cap, split evenly over its runs), `status` (`queued` to render).\nWritten back: `status` (rendering, delivered, needs_review), `runsDelivered`, `shotsPassed`, `shotsNeedReview`, `costUsd`, `deliveredAt`.", [-820, -520], 560, 280),
        sticky("Formats", "### Formats\nVeo and Sora render 16:9 and 9:16 only. The storyboard puts every shot of a **1:1** feed run on Runway (*Hero Aspect Ratios*): Gen-4 Image draws a square keyframe with the pinned references, Gen-4.5 animates it (its text to video is 16:9 / 9:16 only). Silent shots for muted autoplay, with the pinned audio bed as the sound.", [300, -520], 460, 200),
        node("Nightly Schedule", "n8n-nodes-base.scheduleTrigger", {"rule": {"interval": [{"field": "days", "triggerAtHour": 1}]}}, [-1500, 0], 1.2),
        node("Run Batch Now", "n8n-nodes-base.manualTrigger", {}, [-1500, 180]),
        node("Run Batch Webhook", "n8n-nodes-base.webhook", {"httpMethod": "POST", "path": "video-batch", "authentication": "headerAuth", "responseMode": "onReceived", "options": {}}, [-1500, 360], 2.1, {"httpHeaderAuth": {"id": "vpBriefWebhookAuth", "name": "Brief webhook header"}}, webhookId="3e8a6c2d-4b1f-4d7e-9a0c-2f6b8d4e1a70"),
        node("Batch Settings", "n8n-nodes-base.set", {"mode": "raw", "jsonOutput": json.dumps(settings, indent=2), "options": {}}, [-1280, 180], 3.4),
        node("Campaign Table", "n8n-nodes-base.dataTable", {"resource": "table", "operation": "create", "tableName": CAMPAIGN_TABLE, "columns": table_columns(CAMPAIGN_COLUMNS), "options": {"createIfNotExists": True}}, [-1060, 180], 1.1),
        node("Run Table", "n8n-nodes-base.dataTable", {"resource": "table", "operation": "create", "tableName": RUN_TABLE, "columns": table_columns(RUN_COLUMNS), "options": {"createIfNotExists": True}}, [-840, 180], 1.1),
        node("Any Campaign", "n8n-nodes-base.dataTable", {"resource": "row", "operation": "get", "dataTableId": table_ref(CAMPAIGN_TABLE), "returnAll": False, "limit": 1}, [-620, 0], 1.1, alwaysOutputData=True),
        node("Seed Samples?", "n8n-nodes-base.filter", {"conditions": condition("5a0e4b9c-1d2f-4e3a-8b7c-000000000001", "={{ $('Batch Settings').first().json.seedSampleCampaigns && $json.id === undefined }}", IS_TRUE), "options": {}}, [-400, 0], 2.2),
        node("Sample Campaigns", "n8n-nodes-base.set", {"mode": "raw", "jsonOutput": json.dumps(samples, indent=2), "options": {}}, [-180, 0], 3.4),
        node("Split Samples", "n8n-nodes-base.splitOut", {"fieldToSplitOut": "rows", "options": {}}, [40, 0], 1),
        node("Insert Samples", "n8n-nodes-base.dataTable", {"resource": "row", "operation": "insert", "dataTableId": table_ref(CAMPAIGN_TABLE), "columns": {"mappingMode": "autoMapInputData", "value": None, "matchingColumns": [], "schema": []}, "options": {}}, [260, 0], 1.1),
        node("Queued Campaigns", "n8n-nodes-base.dataTable", {"resource": "row", "operation": "get", "dataTableId": table_ref(CAMPAIGN_TABLE), "matchType": "allConditions", "filters": where("status", "queued"), "returnAll": False, "limit": "={{ $('Batch Settings').first().json.maxCampaignsPerBatch }}", "orderBy": True, "orderByColumn": "id", "orderByDirection": "ASC"}, [-620, 300], 1.1),
        node("Campaign Briefs", "n8n-nodes-base.code", {"jsCode": CAMPAIGN_BRIEFS}, [-400, 300], 2),
        node("Claim Campaign", "n8n-nodes-base.dataTable", {"resource": "row", "operation": "update", "dataTableId": table_ref(CAMPAIGN_TABLE), "matchType": "allConditions",
                                                             "filters": {"conditions": [{"keyName": "id", "condition": "eq", "keyValue": "={{ $json.campaign.id }}"}, {"keyName": "status", "condition": "eq", "keyValue": "queued"}]},
                                                             "columns": mapped({"status": "rendering", "batch": "={{ String($execution.id) }}", "runsDelivered": 0, "shotsPassed": 0, "shotsNeedReview": 0, "costUsd": 0, "deliveredAt": ""}, CAMPAIGN_COLUMNS), "options": {}}, [-180, 300], 1.1, alwaysOutputData=True),
        code("Claimed Briefs", CLAIMED_BRIEFS, [-180, 480]),
        node("Storyboard", f"{PKG}.openAiStoryboard", {"resource": "storyboard", "operation": "createManifest", "model": "gpt-5.4-mini", "script": "={{ $json.script }}", "brandBrief": "={{ $json.brief }}", "targetSeconds": "={{ $json.targetSeconds }}", "aspectRatios": "={{ $json.aspectRatios }}", "variants": "={{ $json.variants }}", "layerPolicy": "dialogueHero", "outputShape": "shots",
                                                                 "run": {"runId": "={{ $json.runIdBase }}", "project": "={{ $json.campaign.brand }} / {{ $json.campaign.product }}", "budgetUsd": "={{ $json.budgetPerRunUsd }}", "resolution": "720p", "heroDurations": "4,6,8", "heroAspectRatios": "16:9, 9:16"}}, [40, 300], 1, CRED["openai"]),
        node("Pin Per Brand", f"{PKG}.pinState", {"resource": "pin", "operation": "create", "pinPer": "groupKey", "groupKey": "={{ $json.campaign.brand }}",
                                                  "characters": {"character": [{"tag": "={{ $json.productTag }}", "description": "={{ $json.campaign.product }}: exact packaging, label and colours as in the reference images", "referenceUrls": "={{ $json.campaign.referenceImages }}", "referenceBinaries": ""}]},
                                                  "useManifestCharacters": True, "grade": {"look": "={{ $json.campaign.look || 'clean commercial look, true-to-life product colours' }}"}, "audioBed": {"mood": "upbeat, modern", "tempoBpm": 112, "dialogueLanguage": "en", "loudnessLufs": -14}, "style": "photoreal commercial, shallow depth of field", "negativePrompt": "text, watermark, competitor logos, extra fingers", "seedPolicy": "per_shot", "seedBase": 2000}, [260, 300]),
        node("QC Router", f"{PKG}.qcRouter", {"retries": {"narrative": 1, "hero": 2, "control": 2}, "barrier": "run", **JUDGE}, [480, 300], 1, CRED["vertex"]),
        node("Sora (Gateway)", f"{PKG}.openAiStoryboard", {"resource": "video", "operation": "render", "model": "sora-2", "shotSource": "item", "inputReference": "none", "renderOptions": RENDER}, [760, 60], 1, CRED["openai"]),
        node("Veo Hero", f"{PKG}.googleVeo", {"resource": "video", "operation": "generate", "model": "veo-3.1-fast-generate-001", "shotSource": "item", "referenceMode": "pin", "generateAudio": True, "renderOptions": RENDER}, [760, 260], 1, CRED["vertex"]),
        node("Square Shot?", "n8n-nodes-base.if", {"conditions": condition("5a0e4b9c-1d2f-4e3a-8b7c-000000000003", "={{ $json.shot.aspectRatio }}", {"type": "string", "operation": "equals"}, "1:1"), "options": {}}, [760, 460], 2.2),
        node("Square Keyframe", f"{PKG}.runway", {"resource": "image", "operation": "textToImage", "model": "gen4_image", "shotSource": "item", "renderOptions": {**RENDER, "binaryPropertyName": "keyframe"}}, [980, 380], 1, CRED["runway"]),
        node("Runway Square", f"{PKG}.runway", {"resource": "video", "operation": "imageToVideo", "model": "gen4.5", "shotSource": "item", "promptImageSource": "binary", "promptImageProperty": "keyframe", "renderOptions": RENDER}, [1200, 380], 1, CRED["runway"]),
        node("Runway B-Roll", f"{PKG}.runway", {"resource": "video", "operation": "textToVideo", "model": "gen4.5", "shotSource": "item", "renderOptions": RENDER}, [980, 560], 1, CRED["runway"]),
        deliver("Write Masters", BATCH_ROOT, "$json.shot.id + '.mp4'", "data", [760, 700]),
        node("Report Items", "n8n-nodes-base.filter", {"conditions": condition("5a0e4b9c-1d2f-4e3a-8b7c-000000000002", "={{ !!$binary.qc_report_json }}", IS_TRUE), "options": {}}, [980, 700], 2.2),
        deliver("Write QC Report", BATCH_ROOT, "'qc-report.html'", "qc_report_html", [1200, 700]),
        deliver("Write QC JSON", BATCH_ROOT, "'qc-report.json'", "qc_report_json", [1420, 700]),
        deliver("Write Timeline", BATCH_ROOT, "'timeline.otio'", "timeline_otio", [1640, 700]),
        deliver("Write Run State", BATCH_ROOT, "'run-state.json'", "run_state_json", [1860, 700]),
        node("Run Status", "n8n-nodes-base.set", {"mode": "raw", "jsonOutput": run_status, "options": {}}, [760, 920], 3.4),
        node("Save Run Status", "n8n-nodes-base.dataTable", {"resource": "row", "operation": "upsert", "dataTableId": table_ref(RUN_TABLE), "matchType": "allConditions", "filters": where("runId", "={{ $json.runId }}"),
                                                             "columns": mapped({k: f"={{{{ $json.{k} }}}}" for k in run_fields}, RUN_COLUMNS), "options": {}}, [980, 920], 1.1),
        node("One Per Campaign", "n8n-nodes-base.removeDuplicates", {"operation": "removeDuplicateInputItems", "compare": "selectedFields", "fieldsToCompare": "campaignId", "options": {}}, [1200, 920], 2),
        node("Campaign Runs", "n8n-nodes-base.dataTable", {"resource": "row", "operation": "get", "dataTableId": table_ref(RUN_TABLE), "matchType": "allConditions",
                                                           "filters": {"conditions": [{"keyName": "campaignId", "condition": "eq", "keyValue": "={{ $json.campaignId }}"}, {"keyName": "batch", "condition": "eq", "keyValue": "={{ $json.batch }}"}]}, "returnAll": True}, [1420, 920], 1.1),
        node("Campaign Totals", "n8n-nodes-base.summarize", {"fieldsToSummarize": {"values": [{"aggregation": "count", "field": "runId"}, {"aggregation": "sum", "field": "costUsd"}, {"aggregation": "sum", "field": "passed"}, {"aggregation": "sum", "field": "needsReview"}]}, "fieldsToSplitBy": "campaignId, expectedRuns", "options": {}}, [1640, 920], 1.1),
        node("Campaign Status", "n8n-nodes-base.set", {"mode": "raw", "jsonOutput": campaign_status, "options": {}}, [1860, 920], 3.4),
        node("Update Campaign", "n8n-nodes-base.dataTable", {"resource": "row", "operation": "update", "dataTableId": table_ref(CAMPAIGN_TABLE), "matchType": "allConditions", "filters": where("id", "={{ $json.id }}"),
                                                             "columns": mapped({k: f"={{{{ $json.{k} }}}}" for k in campaign_fields}, CAMPAIGN_COLUMNS), "options": {}}, [2080, 920], 1.1),
        sticky("Delivery", "### Delivery per brand\n**All Done** fires once per run (brand x variant x format). Files are written as `<brand>-c<campaign>-<date>-v<variant>-<ratio>-<file>` in `deliveryRoot`; the run's row goes to **video_campaign_runs**, and when every run of a campaign is in, its row in **video_campaigns** says `delivered` (or `needs_review`) with the cost.", [760, 1120], 620, 180),
    ]
    connections = {
        "Nightly Schedule": {"main": link("Batch Settings")},
        "Run Batch Now": {"main": link("Batch Settings")},
        "Run Batch Webhook": {"main": link("Batch Settings")},
        "Batch Settings": {"main": link("Campaign Table")},
        "Campaign Table": {"main": link("Run Table")},
        # The seed branch sits above the batch branch: with execution order v1 it runs first.
        "Run Table": {"main": link("Any Campaign", "Queued Campaigns")},
        "Any Campaign": {"main": link("Seed Samples?")},
        "Seed Samples?": {"main": link("Sample Campaigns")},
        "Sample Campaigns": {"main": link("Split Samples")},
        "Split Samples": {"main": link("Insert Samples")},
        "Queued Campaigns": {"main": link("Campaign Briefs")},
        "Campaign Briefs": {"main": link("Claim Campaign")},
        "Claim Campaign": {"main": link("Claimed Briefs")},
        "Claimed Briefs": {"main": link("Storyboard")},
        "Storyboard": {"main": link("Pin Per Brand")},
        "Pin Per Brand": {"main": link("QC Router")},
        "QC Router": {"main": [[], link("Sora (Gateway)")[0], link("Veo Hero")[0], link("Square Shot?")[0], [], link("Write Masters")[0]]},
        "Sora (Gateway)": {"main": link("QC Router")},
        "Veo Hero": {"main": link("QC Router")},
        "Square Shot?": {"main": [link("Square Keyframe")[0], link("Runway B-Roll")[0]]},
        "Square Keyframe": {"main": link("Runway Square")},
        "Runway Square": {"main": link("QC Router")},
        "Runway B-Roll": {"main": link("QC Router")},
        "Write Masters": {"main": link("Report Items")},
        "Report Items": {"main": link("Write QC Report")},
        "Write QC Report": {"main": link("Write QC JSON")},
        "Write QC JSON": {"main": link("Write Timeline")},
        "Write Timeline": {"main": link("Write Run State")},
        "Write Run State": {"main": link("Run Status")},
        "Run Status": {"main": link("Save Run Status")},
        "Save Run Status": {"main": link("One Per Campaign")},
        "One Per Campaign": {"main": link("Campaign Runs")},
        "Campaign Runs": {"main": link("Campaign Totals")},
        "Campaign Totals": {"main": link("Campaign Status")},
        "Campaign Status": {"main": link("Update Campaign")},
    }
    workflow = {"id": "vpScheduledAdBatch", "name": "Video pipeline: scheduled ad batch", "active": False, "nodes": nodes, "connections": connections, "settings": {"executionOrder": "v1", "errorWorkflow": "vpErrorReporter"}, "pinData": {}}
    return split_renders(workflow, ["Sora (Gateway)", "Veo Hero", "Square Keyframe", "Runway Square", "Runway B-Roll"], [800, -520])


MCP_RUNS_TABLE = "video_mcp_runs"
PINS_TABLE = "video_pins"
MCP_RUN_COLUMNS = [("runId", "string"), ("kind", "string"), ("status", "string"), ("brand", "string"), ("project", "string"), ("budgetUsd", "number"),
                   ("request", "string"), ("summary", "string"), ("error", "string"), ("requestedAt", "string"), ("finishedAt", "string")]
PIN_COLUMNS = [("brand", "string"), ("fingerprint", "string"), ("runId", "string"), ("pin", "string"), ("pinnedAt", "string")]
TOOL_FIELDS = [("tool", "string"), ("runId", "string"), ("brand", "string"), ("project", "string"), ("script", "string"), ("brief", "string"),
               ("targetSeconds", "number"), ("budgetUsd", "number"), ("waitSeconds", "number"), ("shotId", "string"), ("note", "string")]
MCP_SETTINGS = {"maxBudgetUsd": BUDGET_CAP, "maxTargetSeconds": 60, "defaultWaitSeconds": 45, "maxWaitSeconds": 50, "pollSeconds": 3,
                "deliveryRoot": DELIVERY_ROOT}
MCP_ROOT = settings_root("Server Settings")

REQUEST_HELPERS = r"""const call = $('Tool Call').first().json;
const settings = $('Server Settings').first().json;
const REFUSAL_PREFIX = `${call.tool}: `;
""" + INTAKE_CHECKS + r"""const fail = refuse;
// Every call states its spend cap; none may pass the server's.
const budgetUsd = budget(call.budgetUsd, settings.maxBudgetUsd);
const waitSeconds = Math.min(Math.max(0, Number(call.waitSeconds ?? settings.defaultWaitSeconds) || 0), settings.maxWaitSeconds);
// FNV-1a: the same request always gets the same ID (the Code node has no crypto module).
const fingerprint = (value) => {
  let hash = 0x811c9dc5;
  for (const char of JSON.stringify(value)) { hash ^= char.charCodeAt(0); hash = Math.imul(hash, 0x01000193) >>> 0; }
  return hash.toString(16).padStart(8, '0');
};
"""

BRIEF_REQUEST = "// render_brief: checks the call and names its run; the same brief always maps to the same run,\n// so an agent that calls again gets that run back instead of paying for a second one.\n" + REQUEST_HELPERS + r"""if (!text(call.brand)) fail('brand', 'is required (pins are kept per brand)');
const brand = safeName('brand', call.brand);
if (!text(call.script)) fail('script', 'is required');
const targetSeconds = Number(call.targetSeconds) || 20;
if (targetSeconds < 4 || targetSeconds > settings.maxTargetSeconds) fail('targetSeconds', `must be 4 to ${settings.maxTargetSeconds}`);
const project = safeName('project', call.project, false) || brand;
const slug = brand.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'brand';
const runId = call.runId === undefined || call.runId === null || call.runId === '' ? `${slug}-${fingerprint([brand, project, text(call.script), text(call.brief), targetSeconds, budgetUsd])}` : safeId('runId', call.runId);
return [{ json: { runId, kind: 'brief', brand, project, budgetUsd, waitSeconds, startedAt: Date.now(),
  request: { project, runId, script: text(call.script), brief: text(call.brief), targetSeconds, budgetUsd, callbackUrl: '' } } }];
"""

RESHOOT_REQUEST = "// reshoot_shot: one shot of a delivered run again, with a note; the same request is one job.\n" + REQUEST_HELPERS + r"""if (!text(call.runId)) fail('runId', 'is required (the run render_brief returned)');
const runId = safeId('runId', call.runId, 128);
if (!text(call.shotId)) fail('shotId', 'is required, like "shot-02" (get_run lists the shots)');
const shotId = safeId('shotId', call.shotId, 64);
const jobId = `${runId}~${shotId}~${fingerprint([text(call.note), budgetUsd])}`;
return [{ json: { runId: jobId, kind: 'reshoot', brand: '', project: runId, budgetUsd, waitSeconds, startedAt: Date.now(),
  request: { runId, shotId, note: text(call.note), budgetUsd } } }];
"""

NEW_RUN_ROW = r"""// The row that records the job before it starts: the brand's latest stored pin rides along on a brief.
const job = $('Job').first().json;
const pins = $input.all().map((item) => item.json).filter((row) => row.pin);
const stored = pins.length ? JSON.parse(pins[pins.length - 1].pin) : undefined;
const request = job.kind === 'brief' && stored ? { ...job.request, brandPin: stored } : job.request;
return [{ json: { runId: job.runId, kind: job.kind, status: 'rendering', brand: job.brand, project: job.project, budgetUsd: job.budgetUsd,
  request: JSON.stringify(request), summary: '', error: '', requestedAt: new Date(job.startedAt).toISOString(), finishedAt: '' } }];
"""

RUN_ANSWER = r"""// What every run tool answers: the job's status, and its delivery summary once it is in.
const row = $input.first().json;
if (!row.runId) return [{ json: { found: false, message: 'No run with this ID: render_brief and reshoot_shot return the runId to use.' } }];
const answer = { found: true, runId: row.runId, kind: row.kind, status: row.status, brand: row.brand || undefined, project: row.project, budgetUsd: row.budgetUsd, requestedAt: row.requestedAt };
if (row.status === 'rendering') {
  answer.message = `Still rendering. Call get_run with runId "${row.runId}" in a minute or two. Calling ${row.kind === 'brief' ? 'render_brief' : 'reshoot_shot'} again with the same request returns this run and pays nothing twice.`;
}
if (row.status === 'failed') {
  answer.message = `This ${row.kind === 'brief' ? 'run' : 'reshoot'} failed; see error. The same request returns this answer again: to try once more, change the request (a new runId for render_brief, or another note or budget for reshoot_shot).`;
}
if (row.summary) Object.assign(answer, JSON.parse(row.summary));
if (row.error) answer.error = row.error;
if (row.finishedAt) answer.finishedAt = row.finishedAt;
return [{ json: answer }];
"""

RESULT_HELPERS = r"""const job = $('Job Row').first().json;
const request = $('Job Request').first().json;
const root = """ + MCP_ROOT + r""";
""" + file_function("root") + r"""const shotSummary = (shot) => ({
  id: shot.id, layer: shot.layer, outcome: shot.outcome, ...(shot.reviewReason ? { reviewReason: shot.reviewReason } : {}),
  renders: shot.takes.length, attempts: shot.attempts,
  verdicts: shot.verdicts.map((v) => `${v.pass ? 'pass' : 'FAIL'} ${v.check}: ${typeof v.value === 'object' ? JSON.stringify(v.value) : v.value}${v.threshold === null ? '' : ` (wanted ${v.threshold})`}`),
  costUsd: Math.round(shot.takes.reduce((sum, take) => sum + (take.costUsd || 0), 0) * 1e4) / 1e4,
});
const costOf = (report) => ({ totalUsd: report.cost.totalUsd, perLayerUsd: report.cost.byLayer, perVendorUsd: report.cost.byVendor, budgetUsd: report.cost.budgetUsd });
"""

BRIEF_RESULT = "// The delivery summary of a brief, and the pin the run used (stored per brand for reuse).\n" + RESULT_HELPERS + r"""const report = $('Parse QC Report').first().json.data;
const state = $json.data;
const pin = state.shots.find((item) => item.pin)?.pin;
const summary = {
  totals: report.totals, cost: costOf(report), pinFingerprint: report.pinFingerprint,
  shots: report.shots.map(shotSummary),
  delivery: { folder: root, report: file(job.runId, 'qc-report.html'), reportJson: file(job.runId, 'qc-report.json'), masters: report.shots.map((shot) => file(job.runId, `${shot.id}.mp4`)), timeline: file(job.runId, 'timeline.otio') },
};
return [{ json: { runId: job.runId, status: report.totals.needsReview > 0 ? 'needs_review' : 'delivered', summary: JSON.stringify(summary), error: '', finishedAt: new Date().toISOString(),
  brand: job.brand, pin: pin ? JSON.stringify(pin) : '', fingerprint: pin?.fingerprint ?? '', newPin: Boolean(pin) && !request.brandPin } }];
"""

RESHOOT_RESULT = "// The outcome of one reshot shot.\n" + RESULT_HELPERS + r"""const report = $json.data;
const summary = { totals: report.totals, cost: costOf(report), shots: report.shots.map(shotSummary),
  delivery: { folder: root, master: file(request.runId, `${request.shotId}.mp4`), reportJson: file(request.runId, `${request.shotId}-reshoot-qc.json`) } };
return [{ json: { runId: job.runId, status: report.totals.needsReview > 0 ? 'needs_review' : 'delivered', summary: JSON.stringify(summary), error: '', finishedAt: new Date().toISOString() } }];
"""

JOB_FAILED = r"""// A job that failed: the pipeline's own message (a refused budget names the cap), kept on the row.
const job = $('Job Row').first().json;
return [{ json: { runId: job.runId, status: 'failed', summary: '', error: String($json.error || 'the pipeline failed').slice(0, 2000), finishedAt: new Date().toISOString() } }];
"""

PINS_ANSWER = r"""// list_pins: the latest pin of every brand, in short.
const latest = new Map();
for (const row of $input.all().map((item) => item.json)) if (row.brand) latest.set(row.brand, row);
const pins = [...latest.values()].map((row) => {
  const pin = JSON.parse(row.pin);
  return { brand: row.brand, fingerprint: row.fingerprint, fromRun: row.runId, pinnedAt: row.pinnedAt, characters: pin.characters.map((c) => c.tag),
    look: pin.grade.look, palette: pin.grade.palette, audioBed: pin.audioBed.mood, style: pin.style };
});
return [{ json: { count: pins.length, pins } }];
"""

PIN_ANSWER = r"""// get_pin: the brand's latest pin in full (references, grade, audio bed, style, seeds).
const brand = String($('Tool Call').first().json.brand || '').trim();
const rows = $input.all().map((item) => item.json).filter((row) => row.brand === brand);
if (!rows.length) return [{ json: { found: false, brand, message: `No pin for "${brand}" yet: the brand's first render_brief creates one, and later briefs reuse it.` } }];
const row = rows[rows.length - 1];
return [{ json: { found: true, brand, fingerprint: row.fingerprint, fromRun: row.runId, pinnedAt: row.pinnedAt, pin: JSON.parse(row.pin) } }];
"""


def tool_inputs(values, fields, convert_to_string):
    """The inputs a call passes to the tools workflow's trigger: the values given; its other fields marked removed."""
    return {"mappingMode": "defineBelow", "value": values, "matchingColumns": [], "attemptToConvertTypes": False, "convertFieldsToString": convert_to_string,
            "schema": [{"id": k, "displayName": k, "required": False, "defaultMatch": False, "display": True, "canBeUsedToMatch": True, "type": t, "removed": k not in values} for k, t in fields]}


def execute_workflow(name, workflow_id, pos, inputs=None, wait=True, **extra):
    """An Execute Workflow node: with `inputs`, a call of the tools workflow; without, the items pass as they are."""
    mapping = tool_inputs(inputs or {}, TOOL_FIELDS if inputs is not None else [], True)
    return node(name, "n8n-nodes-base.executeWorkflow", {"source": "database", "workflowId": {"__rl": True, "mode": "id", "value": workflow_id}, "workflowInputs": mapping, "mode": "once", "options": {"waitForSubWorkflow": wait}}, pos, 1.3, **extra)


def read_json(what, path, pos, missing_ok=False, **extra):
    """Read <what> (JSON files matching `path`) and Parse <what>: each file's content lands in json.data.

    With missing_ok, no file is one item without data (the next step answers for it), not a silent stop."""
    parse_extra = {"onError": "continueRegularOutput"} if missing_ok else {}
    if missing_ok:
        extra["onError"] = "continueRegularOutput"
    return [node(f"Read {what}", "n8n-nodes-base.readWriteFile", {"operation": "read", "fileSelector": path, "options": {}}, pos, 1.1, **extra),
            node(f"Parse {what}", "n8n-nodes-base.extractFromFile", {"operation": "fromJson", "binaryPropertyName": "data", "options": {}}, [pos[0] + 220, pos[1]], 1.1, **parse_extra)]


def code(name, js, pos, **extra):
    return node(name, "n8n-nodes-base.code", {"jsCode": js}, pos, 2, **extra)


def table_get(name, table, filters, pos, **extra):
    params = {"resource": "row", "operation": "get", "dataTableId": table_ref(table), "returnAll": True}
    if filters:
        params.update({"matchType": "allConditions", "filters": filters})
    return node(name, "n8n-nodes-base.dataTable", params, pos, 1.1, alwaysOutputData=True, **extra)


def mcp_tools():
    switch_rules = {"values": [{"conditions": condition(f"6b1d2e3f-0000-4000-8000-00000000000{i}", "={{ $('Tool Call').first().json.tool }}", {"type": "string", "operation": "equals"}, tool),
                                "renameOutput": True, "outputKey": tool} for i, tool in enumerate(["render_brief", "reshoot_shot", "get_run", "list_pins", "get_pin", "run_job"])]}
    nodes = [
        sticky("About", "## Video pipeline: MCP tools\nThe tools *Video pipeline: MCP server* offers, one branch each, and the background job that runs a brief or a reshoot. "
               "Jobs are rows of the **video_mcp_runs** Data Table (status `rendering`, `delivered`, `needs_review` or `failed`, with the delivery summary); pins are kept per brand in **video_pins**.\n\n"
               "*Server Settings* holds the spend cap per call (`maxBudgetUsd`), how long a call waits for a render before it answers with the run ID (`defaultWaitSeconds`, at most `maxWaitSeconds`: keep it under your MCP client's request timeout) and the delivery folder.",
               [-1100, -520], 700, 260),
        node("Tool Call", "n8n-nodes-base.executeWorkflowTrigger", {"inputSource": "workflowInputs", "workflowInputs": {"values": [{"name": k, "type": t} for k, t in TOOL_FIELDS]}}, [-1100, 100], 1.1),
        node("Server Settings", "n8n-nodes-base.set", {"mode": "raw", "jsonOutput": json.dumps(MCP_SETTINGS, indent=2), "options": {}}, [-880, 100], 3.4),
        node("Runs Table", "n8n-nodes-base.dataTable", {"resource": "table", "operation": "create", "tableName": MCP_RUNS_TABLE, "columns": table_columns(MCP_RUN_COLUMNS), "options": {"createIfNotExists": True}}, [-660, 100], 1.1),
        node("Pins Table", "n8n-nodes-base.dataTable", {"resource": "table", "operation": "create", "tableName": PINS_TABLE, "columns": table_columns(PIN_COLUMNS), "options": {"createIfNotExists": True}}, [-440, 100], 1.1),
        node("Which Tool", "n8n-nodes-base.switch", {"rules": switch_rules, "options": {"fallbackOutput": "extra", "renameFallbackOutput": "unknown"}}, [-220, 100], 3.2),
        node("Unknown Tool", "n8n-nodes-base.stopAndError", {"errorMessage": "=Unknown tool \"{{ $('Tool Call').first().json.tool }}\""}, [0, 760], 1),
        # render_brief and reshoot_shot: one job each, recorded before it starts.
        code("Brief Request", BRIEF_REQUEST, [0, -200]),
        code("Reshoot Request", RESHOOT_REQUEST, [0, 0]),
        node("Job", "n8n-nodes-base.set", {"mode": "raw", "jsonOutput": "={{ JSON.stringify($json) }}", "options": {}}, [220, -100], 3.4),
        table_get("Known Run", MCP_RUNS_TABLE, where("runId", "={{ $json.runId }}"), [440, -100]),
        node("Already Requested?", "n8n-nodes-base.if", {"conditions": condition("6b1d2e3f-0000-4000-8000-000000000010", "={{ $json.runId !== undefined }}", IS_TRUE), "options": {}}, [660, -100], 2.2),
        table_get("Brand Pin", PINS_TABLE, where("brand", "={{ $('Job').first().json.brand || '-' }}"), [880, 0]),
        code("New Run Row", NEW_RUN_ROW, [1100, 0]),
        node("Record Run", "n8n-nodes-base.dataTable", {"resource": "row", "operation": "insert", "dataTableId": table_ref(MCP_RUNS_TABLE), "columns": {"mappingMode": "autoMapInputData", "value": None, "matchingColumns": [], "schema": []}, "options": {}}, [1320, 0], 1.1),
        # Two identical calls at the same moment both record a row; only the first row's call starts
        # the job, the other drops its row and waits on the same run (Data Tables have no unique keys).
        table_get("Same Run Rows", MCP_RUNS_TABLE, where("runId", "={{ $('Job').first().json.runId }}"), [1540, 0]),
        node("First Request?", "n8n-nodes-base.if", {"conditions": condition("6b1d2e3f-0000-4000-8000-000000000016", "={{ Math.min(...$input.all().map((item) => item.json.id)) === $('Record Run').first().json.id }}", IS_TRUE), "options": {}}, [1760, 0], 2.2, executeOnce=True),
        execute_workflow("Start Job", "vpMcpTools", [1980, -100], {"tool": "run_job", "runId": "={{ $('Job').first().json.runId }}"}, wait=False),
        node("Drop Duplicate", "n8n-nodes-base.dataTable", {"resource": "row", "operation": "deleteRows", "dataTableId": table_ref(MCP_RUNS_TABLE), "matchType": "allConditions", "filters": where("id", "={{ $('Record Run').first().json.id }}"), "options": {}}, [1980, 100], 1.1, alwaysOutputData=True),
        table_get("Run Status", MCP_RUNS_TABLE, where("runId", "={{ $('Job').first().json.runId }}"), [2200, 0]),
        node("Done or Waited?", "n8n-nodes-base.if", {"conditions": condition("6b1d2e3f-0000-4000-8000-000000000011", "={{ $json.status !== 'rendering' || Date.now() - $('Job').first().json.startedAt >= 1000 * $('Job').first().json.waitSeconds }}", IS_TRUE), "options": {}}, [2420, 0], 2.2, executeOnce=True),
        node("Pause", "n8n-nodes-base.wait", {"amount": "={{ $('Server Settings').first().json.pollSeconds }}"}, [2420, 200], 1.1, webhookId="2c4e6a8b-0d1f-4e3a-9b5c-7d9f1b3e5a70"),
        code("Run Answer", RUN_ANSWER, [2640, -200]),
        # get_run, list_pins, get_pin
        table_get("Run Row", MCP_RUNS_TABLE, where("runId", "={{ $('Tool Call').first().json.runId || '-' }}"), [0, 200]),
        table_get("All Pins", PINS_TABLE, None, [0, 380]),
        code("Pins Answer", PINS_ANSWER, [220, 380]),
        table_get("Brand Pins", PINS_TABLE, where("brand", "={{ $('Tool Call').first().json.brand || '-' }}"), [0, 560]),
        code("Pin Answer", PIN_ANSWER, [220, 560]),
        # run_job: the background execution that renders and records the outcome.
        table_get("Job Row", MCP_RUNS_TABLE, where("runId", "={{ $('Tool Call').first().json.runId }}"), [0, 1000]),
        code("Job Request", "return [{ json: JSON.parse($json.request) }];", [220, 1000]),
        node("Brief Job?", "n8n-nodes-base.if", {"conditions": condition("6b1d2e3f-0000-4000-8000-000000000012", "={{ $('Job Row').first().json.kind }}", {"type": "string", "operation": "equals"}, "brief"), "options": {}}, [440, 1000], 2.2),
        # The pipeline's last step may output nothing (no callback URL), and a failure comes out as an
        # item with its error: either way one item goes on, to read what was delivered or record the error.
        execute_workflow("Render Brief", "vpStudioBriefDelivery", [660, 900], onError="continueRegularOutput", alwaysOutputData=True),
        node("Brief Delivered?", "n8n-nodes-base.if", {"conditions": condition("6b1d2e3f-0000-4000-8000-000000000014", "={{ $json.error === undefined }}", IS_TRUE), "options": {}}, [770, 1000], 2.2, executeOnce=True),
        *read_json("QC Report", file_param(MCP_ROOT, "$('Job Row').first().json.runId", "'qc-report.json'"), [880, 860], executeOnce=True),
        *read_json("Run State", file_param(MCP_ROOT, "$('Job Row').first().json.runId", "'run-state.json'"), [1320, 860]),
        code("Brief Result", BRIEF_RESULT, [1760, 860]),
        node("New Brand Pin?", "n8n-nodes-base.filter", {"conditions": condition("6b1d2e3f-0000-4000-8000-000000000013", "={{ $json.newPin }}", IS_TRUE), "options": {}}, [1980, 760], 2.2),
        node("Save Brand Pin", "n8n-nodes-base.dataTable", {"resource": "row", "operation": "insert", "dataTableId": table_ref(PINS_TABLE),
                                                           "columns": mapped({"brand": "={{ $json.brand }}", "fingerprint": "={{ $json.fingerprint }}", "runId": "={{ $json.runId }}", "pin": "={{ $json.pin }}", "pinnedAt": "={{ $now.toISO() }}"}, PIN_COLUMNS), "options": {}}, [2200, 760], 1.1),
        execute_workflow("Reshoot Shot", "vpReshootOneShot", [660, 1140], onError="continueRegularOutput", alwaysOutputData=True),
        node("Reshoot Delivered?", "n8n-nodes-base.if", {"conditions": condition("6b1d2e3f-0000-4000-8000-000000000015", "={{ $json.error === undefined }}", IS_TRUE), "options": {}}, [770, 1240], 2.2, executeOnce=True),
        *read_json("Reshoot QC", file_param(MCP_ROOT, "$('Job Request').first().json.runId", "$('Job Request').first().json.shotId + '-reshoot-qc.json'"), [880, 1100], executeOnce=True),
        code("Reshoot Result", RESHOOT_RESULT, [1320, 1100]),
        code("Job Failed", JOB_FAILED, [1100, 1300], executeOnce=True),
        node("Finish Job", "n8n-nodes-base.dataTable", {"resource": "row", "operation": "update", "dataTableId": table_ref(MCP_RUNS_TABLE), "matchType": "allConditions", "filters": where("runId", "={{ $json.runId }}"),
                                                       "columns": mapped({k: f"={{{{ $json.{k} }}}}" for k in ["status", "summary", "error", "finishedAt"]}, MCP_RUN_COLUMNS), "options": {}}, [1980, 1100], 1.1),
    ]
    connections = {
        "Tool Call": {"main": link("Server Settings")},
        "Server Settings": {"main": link("Runs Table")},
        "Runs Table": {"main": link("Pins Table")},
        "Pins Table": {"main": link("Which Tool")},
        "Which Tool": {"main": [link("Brief Request")[0], link("Reshoot Request")[0], link("Run Row")[0], link("All Pins")[0], link("Brand Pins")[0], link("Job Row")[0], link("Unknown Tool")[0]]},
        "Brief Request": {"main": link("Job")},
        "Reshoot Request": {"main": link("Job")},
        "Job": {"main": link("Known Run")},
        "Known Run": {"main": link("Already Requested?")},
        "Already Requested?": {"main": [link("Run Answer")[0], link("Brand Pin")[0]]},
        "Brand Pin": {"main": link("New Run Row")},
        "New Run Row": {"main": link("Record Run")},
        "Record Run": {"main": link("Same Run Rows")},
        "Same Run Rows": {"main": link("First Request?")},
        "First Request?": {"main": [link("Start Job")[0], link("Drop Duplicate")[0]]},
        "Start Job": {"main": link("Run Status")},
        "Drop Duplicate": {"main": link("Run Status")},
        "Run Status": {"main": link("Done or Waited?")},
        "Done or Waited?": {"main": [link("Run Answer")[0], link("Pause")[0]]},
        "Pause": {"main": link("Run Status")},
        "Run Row": {"main": link("Run Answer")},
        "All Pins": {"main": link("Pins Answer")},
        "Brand Pins": {"main": link("Pin Answer")},
        "Job Row": {"main": link("Job Request")},
        "Job Request": {"main": link("Brief Job?")},
        "Brief Job?": {"main": [link("Render Brief")[0], link("Reshoot Shot")[0]]},
        "Render Brief": {"main": link("Brief Delivered?")},
        "Brief Delivered?": {"main": [link("Read QC Report")[0], link("Job Failed")[0]]},
        "Read QC Report": {"main": link("Parse QC Report")},
        "Parse QC Report": {"main": link("Read Run State")},
        "Read Run State": {"main": link("Parse Run State")},
        "Parse Run State": {"main": link("Brief Result")},
        "Brief Result": {"main": link("Finish Job", "New Brand Pin?")},
        "New Brand Pin?": {"main": link("Save Brand Pin")},
        "Reshoot Shot": {"main": link("Reshoot Delivered?")},
        "Reshoot Delivered?": {"main": [link("Read Reshoot QC")[0], link("Job Failed")[0]]},
        "Read Reshoot QC": {"main": link("Parse Reshoot QC")},
        "Parse Reshoot QC": {"main": link("Reshoot Result")},
        "Reshoot Result": {"main": link("Finish Job")},
        "Job Failed": {"main": link("Finish Job")},
    }
    return {"id": "vpMcpTools", "name": "Video pipeline: MCP tools", "active": False, "nodes": nodes, "connections": connections, "settings": {"executionOrder": "v1", "errorWorkflow": "vpErrorReporter"}, "pinData": {}}


CAP = MCP_SETTINGS["maxBudgetUsd"]
TOOLS = {
    "render_brief": (
        "Storyboards a script into shots, renders them (Veo hero shots with native audio, Runway b-roll), checks every shot and re-renders only the ones that fail, then delivers masters, a QC report and a timeline. "
        f"COSTS REAL MONEY: about $0.15 per rendered second on Veo and $0.12 on Runway, plus re-renders; it never spends more than budgetUsd (required, at most ${CAP} per call) and refuses a render before submitting it if it would pass that. "
        "Reuses the brand's stored pin (see get_pin) so characters, colour grade and audio bed match the brand's earlier videos; the first brief of a brand creates its pin. "
        "Returns runId and status. A render usually takes several minutes: if it is not done within waitSeconds the answer is status 'rendering' with the runId; call get_run later. "
        "Calling again with the same brief returns the same run and pays nothing twice. When done: per-shot verdicts, cost per layer and the report's location.",
        {"brand": ("The brand the video is for; its pin is reused", "string", None), "script": ("The script or scene description, 2-8 sentences; name characters and quote dialogue", "string", None),
         "budgetUsd": (f"Spend cap for this render in USD, at most {CAP}; 20 covers about 12 seconds with one re-render", "number", None),
         "project": ("Project name for the report (defaults to the brand)", "string", ""), "brief": ("Tone, audience, things to avoid", "string", ""),
         "targetSeconds": ("Length of the finished video in seconds, 4 to 60", "number", 20), "waitSeconds": ("How long to wait for the render before answering with the runId, 0 to 50", "number", 45),
         "runId": ("Optional ID to give the run (letters, digits, . _ : -); by default one is derived from the brief", "string", "")},
    ),
    "get_run": (
        "Status and result of a run or reshoot by its runId (free). status is 'rendering', 'delivered', 'needs_review' (delivered, some shots flagged) or 'failed' (with the error). "
        "When finished: totals, per-shot verdicts and cost, cost per layer and vendor, and where the masters and the QC report are.",
        {"runId": ("The runId render_brief or reshoot_shot returned", "string", None)},
    ),
    "list_pins": (
        "Lists the stored pin of every brand (free): fingerprint, character tags, look, palette, audio bed mood and style. A pin locks the look of a brand across videos.",
        {},
    ),
    "get_pin": (
        "The full stored pin of one brand (free): character references, colour grade, audio bed, style, negative prompt and seed policy, with its fingerprint. render_brief reuses it automatically.",
        {"brand": ("The brand name as used in render_brief", "string", None)},
    ),
    "reshoot_shot": (
        "Renders one shot of a delivered run again with a new seed and your note, checks it and delivers it over the old master; other shots are untouched. "
        f"COSTS REAL MONEY: one shot, usually $0.50 to $1.50; never more than budgetUsd (required, at most ${CAP}) on top of what the run already spent, within the run's own budget. "
        "Returns a runId for this reshoot and its status; if not done within waitSeconds, call get_run later. The same request again returns the same reshoot and pays nothing twice.",
        {"runId": ("The run to fix (from render_brief)", "string", None), "shotId": ("The shot to render again, like shot-02 (get_run lists them)", "string", None),
         "note": ("What to change, e.g. 'slower camera, tighter framing'", "string", ""), "budgetUsd": (f"Spend cap for this reshoot in USD, at most {CAP}", "number", None),
         "waitSeconds": ("How long to wait before answering with the runId, 0 to 50", "number", 45)},
    ),
}

MCP_INSTRUCTIONS = ("Video production tools. render_brief and reshoot_shot spend real money within the budgetUsd you give; the others are free. "
                    "Check list_pins first to reuse a brand's look. A render takes minutes: when a call answers status 'rendering', wait and call get_run with the runId instead of calling render_brief again.")


def from_ai(key, description, type_, default):
    text = description.replace("'", "\\'")
    return f"={{{{ $fromAI('{key}', '{text}', '{type_}'{'' if default is None else ', ' + json.dumps(default).replace(chr(34), chr(39))}) }}}}"


def mcp_server():
    nodes = [
        sticky("About", "## Video pipeline over MCP\nAI assistants (Claude, ChatGPT, Cursor, any MCP client) connect to this workflow's MCP Server Trigger URL (Streamable HTTP or SSE) and get five tools: "
               "**render_brief**, **get_run**, **list_pins**, **get_pin**, **reshoot_shot**. Each tool calls *Video pipeline: MCP tools*, which runs *Video pipeline: studio brief to delivery* or *reshoot one shot* in the background.\n\n"
               "1. Import and publish all three workflows (and the error reporter).\n2. **Authentication**: the trigger takes the *MCP server header* credential (its own: the studio webhooks' header does not open it); give your client that header.\n"
               "3. Spend caps and wait times are in *Server Settings* of the tools workflow.", [-700, -420], 640, 300),
        node("Video Pipeline MCP", "@n8n/n8n-nodes-langchain.mcpTrigger", {"authentication": "headerAuth", "path": "video-pipeline", "instructions": MCP_INSTRUCTIONS}, [0, 0], 2.1,
             MCP_AUTH, webhookId="8e1f3a5c-7b9d-4c2e-a4f6-1b3d5f7a9c20"),
    ]
    connections = {}
    for i, (tool, (description, args)) in enumerate(TOOLS.items()):
        values = {"tool": tool, **{k: from_ai(k, d, t, default) for k, (d, t, default) in args.items()}}
        nodes.append(node(tool, "@n8n/n8n-nodes-langchain.toolWorkflow", {
            "description": description,
            "workflowId": {"__rl": True, "mode": "list", "value": "vpMcpTools", "cachedResultName": "Video pipeline: MCP tools"},
            "workflowInputs": tool_inputs(values, TOOL_FIELDS, False),
        }, [-440 + 220 * i, 260], 2.2))
        connections[tool] = {"ai_tool": [[{"node": "Video Pipeline MCP", "type": "ai_tool", "index": 0}]]}
    return {"id": "vpMcpServer", "name": "Video pipeline over MCP", "active": False, "nodes": nodes, "connections": connections, "settings": {"executionOrder": "v1", "errorWorkflow": "vpErrorReporter"}, "pinData": {}}


CUT_SCRIPT = r"""// Writes the shell script that cuts the run's passed shots, in order, into one graded master.
// Every shot is normalised first (size, 24 fps, stereo 48 kHz; a silent track where a shot has no
// audio) so the concat is seamless; then the pinned LUT (lut3d), the music bed under the shots'
// own sound, and loudness to the pin's target.
""" + MERGE_RUN_STATE + r"""const request = $('Assembly Request').first().json;
const state = mergeRunState(request.runId, $input.all().map((entry) => entry.json.data));
if (!state) throw new Error(`runId: no run state for "${request.runId}" in the delivery folder`);
const q = (value) => "'" + String(value).replace(/'/g, "'\\''") + "'";
const filterPath = (value) => String(value).replace(/\\/g, '\\\\').replace(/:/g, '\\:').replace(/'/g, "\\'");
const passed = (state.shots || []).filter((s) => s.qc && s.qc.status === 'passed').sort((a, b) => a.shot.index - b.shot.index);
if (!passed.length) throw new Error(`Run ${state.runId}: no passed shots to assemble`);
const { aspectRatio, resolution } = passed[0].shot;
const long = { '720p': 1280, '1080p': 1920, '4k': 3840 }[resolution] || 1280;
const short = Math.round((long * 9) / 16);
const [w, h] = aspectRatio === '9:16' ? [short, long] : aspectRatio === '1:1' ? [short, short] : [long, short];
const pin = passed[0].pin || {};
const lut = pin.grade && pin.grade.lut;
if (lut && lut.kind !== 'url') throw new Error(`Run ${state.runId}: pin.grade.lut: the cut needs the LUT as a URL (it is a ${lut.kind})`);
const music = pin.audioBed && pin.audioBed.music;
const lufs = (pin.audioBed && pin.audioBed.loudnessLufs) || -14;
const root = request.deliveryRoot;
""" + file_function("root") + r"""const parts = file(state.runId, 'cut-parts');
const out = file(state.runId, 'cut.mp4');
const vf = `scale=${w}:${h}:force_original_aspect_ratio=decrease,pad=${w}:${h}:(ow-iw)/2:(oh-ih)/2,setsar=1,fps=24,format=yuv420p`;
const encode = '-c:v libx264 -preset veryfast -crf 18 -pix_fmt yuv420p -c:a aac -ar 48000 -ac 2';
const lines = [
  'set -e',
  'command -v ffmpeg >/dev/null 2>&1 || { echo "ffmpeg is not installed on the n8n host" >&2; exit 127; }',
  `rm -rf ${q(parts)} && mkdir -p ${q(parts)}`,
];
passed.forEach((item, i) => {
  const src = q(file(state.runId, `${item.shot.id}.mp4`));
  const part = q(`${parts}/${String(i).padStart(3, '0')}.mp4`);
  lines.push(
    `if [ -n "$(ffprobe -v error -select_streams a -show_entries stream=index -of csv=p=0 ${src})" ]; then ` +
      `ffmpeg -nostdin -y -v error -i ${src} -map 0:v:0 -map 0:a:0 -vf ${q(vf)} ${encode} ${part}; ` +
      `else ffmpeg -nostdin -y -v error -i ${src} -f lavfi -i anullsrc=r=48000:cl=stereo -map 0:v:0 -map 1:a:0 -shortest -vf ${q(vf)} ${encode} ${part}; fi`,
    `echo "file '${String(i).padStart(3, '0')}.mp4'" >> ${q(parts + '/list.txt')}`,
  );
});
const inputs = [`-f concat -safe 0 -i ${q(parts + '/list.txt')}`];
const graph = [];
let video = '[0:v]';
if (lut) {
  // lut3d reads a local file; the n8n host always has node, which fetches it.
  lines.push(`node -e ${q("fetch(process.argv[1]).then(async (r) => { if (!r.ok) throw new Error('LUT download: HTTP ' + r.status); require('fs').writeFileSync(process.argv[2], Buffer.from(await r.arrayBuffer())); }).catch((e) => { console.error(e.message); process.exit(1); })")} ${q(lut.ref)} ${q(parts + '/grade.cube')}`);
  graph.push(`[0:v]lut3d=file='${filterPath(parts + '/grade.cube')}'[graded]`);
  video = '[graded]';
}
let audio = '[0:a]';
if (music) {
  inputs.push(`-stream_loop -1 -i ${q(music.ref)}`);
  // amix halves each of its two inputs (the looped bed never ends first); volume=2 undoes that. Unlike
  // amix's normalize=0 (ffmpeg 4.4 and later) this works on older builds too, e.g. the static 4.1.
  graph.push('[1:a]aformat=sample_rates=48000:channel_layouts=stereo,volume=0.3[bed]', '[0:a][bed]amix=inputs=2:duration=first,volume=2[mixed]');
  audio = '[mixed]';
}
graph.push(`${audio}loudnorm=I=${lufs}:TP=-1.5:LRA=11,aresample=48000[sound]`);
if (video === '[0:v]') graph.push('[0:v]null[picture]'); else graph.push(`${video}null[picture]`);
lines.push(`ffmpeg -nostdin -y -v error ${inputs.join(' ')} -filter_complex ${q(graph.join(';'))} -map '[picture]' -map '[sound]' ${encode} -movflags +faststart ${q(out)}`);
lines.push(`rm -rf ${q(parts)}`);
return [{
  json: {
    runId: state.runId,
    file: out,
    shots: passed.map((s) => s.shot.id),
    seconds: passed.reduce((sum, s) => sum + s.shot.durationSeconds, 0),
    graded: Boolean(lut),
    musicBed: Boolean(music),
    command: lines.join('\n'),
  },
}];
"""


ASSEMBLY_REQUEST = r"""// The run to cut: its ID passes the contract's safe character set before it names a file or
// enters the shell script; the folder is this workflow's setting.
const REFUSAL_PREFIX = '';
""" + INTAKE_CHECKS + r"""const settings = $('Cut Settings').first().json;
const given = $('Assemble Run').isExecuted ? $('Assemble Run').first().json.runId : undefined;
return [{ json: { runId: safeId('runId', given === undefined || given === '' ? settings.sampleRunId : given, 128), deliveryRoot: settings.deliveryRoot } }];
"""


def assemble_cut():
    cut_settings = {"deliveryRoot": DELIVERY_ROOT, "sampleRunId": "cafe-launch-001"}
    nodes = [
        sticky("About", "## Assemble the cut (optional, needs ffmpeg)\nCuts a delivered run's **passed** shots, in order, into `<runId>-cut.mp4`: every shot normalised to one size and frame rate, the pinned **LUT** applied (lut3d), the pinned **music bed** mixed under the shots' own sound, loudness to the pin's target. Masters, timeline and report are delivered without it.\n\n1. ffmpeg and ffprobe on the n8n host (`apt-get install ffmpeg`).\n2. n8n 2.x disables **Execute Command** by default: start n8n with `NODES_EXCLUDE=\"[]\"` to allow it.\n3. Run it after a delivery (sample: the studio template's run), or call it from another workflow with *Execute Workflow* and `{ runId }`; the folder is `deliveryRoot` in *Cut Settings*.", [-700, -380], 620, 300),
        node("Assemble Run", "n8n-nodes-base.executeWorkflowTrigger", {"inputSource": "passthrough"}, [-700, 100], 1.1),
        node("Assemble Sample", "n8n-nodes-base.manualTrigger", {}, [-700, 280]),
        node("Cut Settings", "n8n-nodes-base.set", {"mode": "raw", "jsonOutput": json.dumps(cut_settings, indent=2), "options": {}}, [-480, 180], 3.4),
        code("Assembly Request", ASSEMBLY_REQUEST, [-260, 180]),
        *read_json("Run State", run_state_files(settings_root("Cut Settings"), "$json.runId"), [-40, 180]),
        code("Cut Script", CUT_SCRIPT, [400, 180]),
        node("Cut With ffmpeg", "n8n-nodes-base.executeCommand", {"command": "={{ $json.command }}", "executeOnce": False}, [620, 180], 1),
        node("Cut OK?", "n8n-nodes-base.if", {"conditions": condition("7d1e2f3a-4b5c-4d6e-8f70-000000000001", "={{ $json.exitCode }}", {"type": "number", "operation": "equals"}, 0), "options": {}}, [840, 180], 2.2),
        node("Cut Summary", "n8n-nodes-base.set", {"mode": "raw", "jsonOutput": "={{ JSON.stringify((({ command, ...cut }) => cut)($('Cut Script').first().json)) }}", "options": {}}, [1060, 80], 3.4),
        node("Cut Failed", "n8n-nodes-base.stopAndError", {"errorMessage": "=ffmpeg could not cut run {{ $('Cut Script').first().json.runId }} (exit {{ $json.exitCode }}): {{ $json.stderr.slice(-1500) }}"}, [1060, 280], 1),
    ]
    connections = {
        "Assemble Run": {"main": link("Cut Settings")},
        "Assemble Sample": {"main": link("Cut Settings")},
        "Cut Settings": {"main": link("Assembly Request")},
        "Assembly Request": {"main": link("Read Run State")},
        "Read Run State": {"main": link("Parse Run State")},
        "Parse Run State": {"main": link("Cut Script")},
        "Cut Script": {"main": link("Cut With ffmpeg")},
        "Cut With ffmpeg": {"main": link("Cut OK?")},
        "Cut OK?": {"main": [link("Cut Summary")[0], link("Cut Failed")[0]]},
    }
    return {"id": "vpAssembleCut", "name": "Video pipeline: assemble the cut (ffmpeg)", "active": False, "nodes": nodes, "connections": connections, "settings": {"executionOrder": "v1", "errorWorkflow": "vpErrorReporter"}, "pinData": {}}


def error_reporter():
    report = (
        "={{ JSON.stringify({ workflow: $json.workflow.name, executionId: $json.execution.id, url: $json.execution.url, "
        "failedNode: $json.execution.lastNodeExecuted, message: $json.execution.error.message, "
        "jobIds: [...String($json.execution.error.message).matchAll(/job ([^,\\]]+)/g)].map(m => m[1]) }) }}"
    )
    nodes = [
        sticky("About", "## Video pipeline failures\nSet this workflow as the **Error workflow** of the pipeline workflows (Workflow settings). Every failure is summarised with the node, the message and the **vendor job IDs** it names, so a paid render can be collected instead of paid again. Connect *Failure Report* to Slack, email or your ticketing system.", [-460, -260], 520, 220),
        node("Error Trigger", "n8n-nodes-base.errorTrigger", {}, [-460, 40]),
        node("Failure Report", "n8n-nodes-base.set", {"mode": "raw", "jsonOutput": report, "options": {}}, [-220, 40], 3.4),
    ]
    return {"id": "vpErrorReporter", "name": "Video pipeline: error reporter", "active": False, "nodes": nodes, "connections": {"Error Trigger": {"main": link("Failure Report")}}, "settings": {"executionOrder": "v1"}, "pinData": {}}


def main():
    OUT.mkdir(exist_ok=True)
    for name, workflow in {"studio-brief-to-delivery.json": studio(), "studio-brief-by-reference.json": studio_by_reference(), "reshoot-one-shot.json": reshoot(), "scheduled-ad-batch.json": batch(), "assemble-cut.json": assemble_cut(), "error-reporter.json": error_reporter(), "mcp-server.json": mcp_server(), "mcp-tools.json": mcp_tools()}.items():
        (OUT / name).write_text(json.dumps(workflow, indent=2, ensure_ascii=False) + "\n")


main()


# --- Aggregator b-roll ------------------------------------------------------------------------
# The studio template with b-roll rendered by the Video Aggregator (Kling 3.0 via fal) instead of
# Runway. Kept in its own block, written after main(), so the studio template stays the one source.

CRED_FAL = {"falVideoPipelineApi": {"id": "vpSandboxFal", "name": "Sandbox fal"}}
AGGREGATOR_BROLL_NOTE = ("### B-roll on an aggregator\n**Kling B-Roll** renders the control layer with Kling 3.0 on fal's queue API; its request is built from the model's published input schema, "
                         "and its cost is fal's own unit price. Pick another model from the fal catalogue (or switch the node to Replicate) without rewiring: QC Router sends a failed b-roll shot back here, a failed hero shot to Veo.")


def studio_aggregator_broll():
    workflow = json.loads(json.dumps(studio()))
    renames = {"Runway B-Roll": "Kling B-Roll", "Runway B-Roll (Submit)": "Kling B-Roll (Submit)"}
    for n in workflow["nodes"]:
        if n["name"] in renames:
            mode = n["parameters"].get("mode")
            n["name"] = renames[n["name"]]
            n["id"] = n["name"].lower().replace(" ", "-").replace("(", "").replace(")", "")
            n["type"] = f"{PKG}.videoAggregator"
            n["parameters"] = {"backend": "fal", "resource": "video", "operation": "render", "model": {"__rl": True, "mode": "id", "value": "fal-ai/kling-video/v3/pro/text-to-video"},
                               "layer": "control", "shotSource": "item", "firstFrameSource": "none", "extraInput": "{}", "renderOptions": RENDER, **({"mode": mode} if mode else {})}
            n["credentials"] = CRED_FAL
        if n["name"] == "Storyboard":
            # Kling 3.0 renders 3 to 15 s: the storyboard plans b-roll the engine can render.
            n["parameters"]["run"] = {**n["parameters"]["run"], "brollDurations": "3-10"}
        if n["name"] in ("Sample Brief", "Workflow Brief"):
            # Three 8 s hero shots and two b-roll shots of at least 3 s need 30 s.
            n["parameters"]["jsonOutput"] = n["parameters"]["jsonOutput"].replace('"targetSeconds": 28', '"targetSeconds": 30')
        if n["name"] == "Setup":
            n["parameters"]["content"] = n["parameters"]["content"].replace("OpenAI, Google (Vertex AI service account recommended) and Runway credentials", "OpenAI, Google (Vertex AI service account recommended) and fal credentials")
        if n["name"] == "Models":
            n["parameters"]["content"] = "### Models and layers\nStoryboard sends shots with characters or dialogue to **Veo** (hero) and the rest to **Kling 3.0 on fal** (b-roll). Change models on each render node; retired models fail with their replacement named."
    workflow["connections"] = {renames.get(source, source): {"main": [[{**t, "node": renames.get(t["node"], t["node"])} for t in outputs] for outputs in value["main"]]} for source, value in workflow["connections"].items()}
    workflow["nodes"].append(sticky("Aggregator B-Roll", AGGREGATOR_BROLL_NOTE, [1240, -460], 460, 220))
    by_name = {n["name"]: n for n in workflow["nodes"]}
    # Its own webhook path and IDs, so it can be published beside the studio template.
    by_name["Brief Webhook"]["parameters"]["path"] = "video-brief-aggregator"
    by_name["Brief Webhook"]["webhookId"] = "6b3d5f7a-9c1e-4a2b-8d4f-0e2a4c6e8a30"
    by_name["Brief Form"]["webhookId"] = "1e3a5c7e-9b2d-4f6a-8c0e-2a4c6e8b0d40"
    by_name["Start Form Brief"]["parameters"]["workflowId"]["value"] = "vpStudioAggregatorBroll"
    workflow["id"] = "vpStudioAggregatorBroll"
    workflow["name"] = "Video pipeline: studio brief with b-roll on an aggregator (Kling via fal)"
    return workflow


def write_aggregator_templates():
    (OUT / "studio-brief-aggregator-broll.json").write_text(json.dumps(studio_aggregator_broll(), indent=2, ensure_ascii=False) + "\n")


write_aggregator_templates()
