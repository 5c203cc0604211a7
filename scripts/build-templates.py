#!/usr/bin/env python3
"""Writes the importable template workflows in workflows/ (run after changing a template here)."""
import json
import pathlib

OUT = pathlib.Path(__file__).resolve().parent.parent / "workflows"
PKG = "n8n-nodes-video-pipeline"
CRED = {
    "openai": {"openAiVideoPipelineApi": {"id": "vpSandboxOpenAi", "name": "Sandbox OpenAI"}},
    "vertex": {"googleVideoPipelineApi": {"id": "vpSandboxVertex", "name": "Sandbox Google (Vertex AI service account)"}},
    "runway": {"runwayVideoPipelineApi": {"id": "vpSandboxRunway", "name": "Sandbox Runway"}},
}
CALLBACK_BODY = "={{ JSON.stringify({ runId: $json.pipeline.runId, project: $json.pipeline.project, totals: $json.qcReport.totals, cost: $json.qcReport.cost, deliveryRoot: $json.deliveryRoot, report: $json.deliveryRoot + '/' + $json.pipeline.runId + '-qc-report.html' }) }}"
RENDER = {"pollIntervalSeconds": 2, "timeoutMinutes": 30, "concurrency": 4}


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


def deliver(name, suffix, prop, pos):
    """A Read/Write File node writing one binary field to the delivery folder as <runId>-<suffix>."""
    return node(name, "n8n-nodes-base.readWriteFile", {"operation": "write", "fileName": "={{ $json.deliveryRoot }}/{{ $json.pipeline.runId }}-" + suffix, "dataPropertyName": prop, "options": {}}, pos, 1.1)


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


def studio():
    sample = {
        "project": "Café launch",
        "runId": "cafe-launch-001",
        "script": "Mara unlocks the café at dawn. Steam curls from the espresso machine. Leo walks in from the rain. Mara hands Leo a cup: \"First one is on me.\" The sign flips to open.",
        "brief": "Warm, local, early-morning calm. Audience: commuters. Avoid logos other than ours.",
        "targetSeconds": 28,
        "budgetUsd": 40,
        "deliveryRoot": "/home/node/.n8n-files/video-deliveries",
        "callbackUrl": "",
    }
    nodes = [
        sticky("Setup", "## Studio brief to delivery\n\n1. **Credentials**: select your OpenAI, Google (Vertex AI service account recommended) and Runway credentials on the render nodes, or import the sandbox's (`npm run sandbox` writes `sandbox-credentials.json`) to run without keys.\n2. **Intake**: the Webhook (header auth) and the Form both feed the storyboard; *Run Sample Brief* runs a bundled brief.\n3. **Budgets**: `budgetUsd` in the brief caps every run; QC Router's retry budget caps re-renders per shot.\n4. **Delivery**: masters, the QC report (HTML + JSON) and the timeline (OTIO + EDL) go to `deliveryRoot` as `<runId>-<file>`; the folder must exist and be inside n8n's allowed file area (`N8N_RESTRICT_FILE_ACCESS_TO`, default `~/.n8n-files`).", [-900, -460], 620, 330),
        sticky("Models", "### Models and layers\nStoryboard sends shots with characters or dialogue to **Veo** (hero) and the rest to **Runway** (b-roll). Change models on each render node; retired models fail with their replacement named.", [300, -460], 420, 200),
        node("Run Sample Brief", "n8n-nodes-base.manualTrigger", {}, [-900, 0]),
        node("Sample Brief", "n8n-nodes-base.set", {"mode": "raw", "jsonOutput": json.dumps(sample, indent=2), "options": {}}, [-680, 0], 3.4),
        node("Brief Webhook", "n8n-nodes-base.webhook", {"httpMethod": "POST", "path": "video-brief", "authentication": "headerAuth", "responseMode": "onReceived", "options": {}}, [-900, 200], 2.1, {"httpHeaderAuth": {"id": "vpBriefWebhookAuth", "name": "Brief webhook header"}}, webhookId="5f0d1b1e-3c57-4b0e-9a55-6d1d3f4c2a10"),
        node("Webhook Brief", "n8n-nodes-base.set", {"mode": "raw", "jsonOutput": "={{ JSON.stringify({ ...{ targetSeconds: 30, budgetUsd: 40, deliveryRoot: '/home/node/.n8n-files/video-deliveries', callbackUrl: '' }, ...$json.body, runId: $json.body.runId || ('brief-' + $execution.id) }) }}", "options": {}}, [-680, 200], 3.4),
        node("Brief Form", "n8n-nodes-base.formTrigger", {"formTitle": "Video brief", "formDescription": "Describe the spot; the pipeline storyboards, renders, checks and delivers it.", "formFields": {"values": [
            {"fieldLabel": "project", "requiredField": True},
            {"fieldLabel": "script", "fieldType": "textarea", "requiredField": True},
            {"fieldLabel": "brief", "fieldType": "textarea"},
            {"fieldLabel": "targetSeconds", "fieldType": "number"},
            {"fieldLabel": "budgetUsd", "fieldType": "number"},
        ]}, "options": {}}, [-900, 400], 2.2, webhookId="7c1b8e2a-6d0f-4a7b-8c2e-1f3a5d9b7e40"),
        node("Form Brief", "n8n-nodes-base.set", {"mode": "raw", "jsonOutput": "={{ JSON.stringify({ project: $json.project, script: $json.script, brief: $json.brief || '', targetSeconds: Number($json.targetSeconds) || 30, budgetUsd: Number($json.budgetUsd) || 40, runId: 'form-' + $execution.id, deliveryRoot: '/home/node/.n8n-files/video-deliveries', callbackUrl: '' }) }}", "options": {}}, [-680, 400], 3.4),
        node("Storyboard", f"{PKG}.openAiStoryboard", {"resource": "storyboard", "operation": "createManifest", "model": "gpt-5.4-mini", "script": "={{ $json.script }}", "brandBrief": "={{ $json.brief }}", "targetSeconds": "={{ $json.targetSeconds }}", "aspectRatios": ["16:9"], "variants": 1, "layerPolicy": "dialogueHero", "outputShape": "shots", "run": {"runId": "={{ $json.runId }}", "project": "={{ $json.project }}", "budgetUsd": "={{ $json.budgetUsd }}", "resolution": "720p", "heroDurations": "8"}}, [-440, 200], 1, CRED["openai"]),
        node("Pin State", f"{PKG}.pinState", {"resource": "pin", "operation": "create", "useManifestCharacters": True, "grade": {"palette": "#335577, #F4E3C1", "look": "cool dawn light, soft contrast"}, "audioBed": {"mood": "calm, hopeful", "tempoBpm": 84, "dialogueLanguage": "en", "loudnessLufs": -14}, "style": "photoreal, 35mm, natural light", "negativePrompt": "text, watermark, extra fingers", "seedPolicy": "per_shot", "seedBase": 1000}, [-220, 200]),
        node("QC Router", f"{PKG}.qcRouter", {"retries": {"narrative": 1, "hero": 2, "control": 2}, "barrier": "run"}, [40, 200]),
        node("Sora (Gateway)", f"{PKG}.openAiStoryboard", {"resource": "video", "operation": "render", "model": "sora-2", "shotSource": "item", "inputReference": "none", "renderOptions": RENDER}, [360, -40], 1, CRED["openai"]),
        node("Veo Hero", f"{PKG}.googleVeo", {"resource": "video", "operation": "generate", "model": "veo-3.1-fast-generate-001", "shotSource": "item", "referenceMode": "pin", "generateAudio": True, "renderOptions": RENDER}, [360, 160], 1, CRED["vertex"]),
        node("Runway B-Roll", f"{PKG}.runway", {"resource": "video", "operation": "textToVideo", "model": "gen4.5", "shotSource": "item", "renderOptions": RENDER}, [360, 360], 1, CRED["runway"]),
        deliver("Write Masters", "{{ $json.shot.id }}.mp4", "data", [700, 560]),
        node("Report Only", "n8n-nodes-base.limit", {"maxItems": 1}, [900, 560]),
        deliver("Write QC Report", "qc-report.html", "qc_report_html", [1100, 560]),
        deliver("Write QC JSON", "qc-report.json", "qc_report_json", [1300, 560]),
        deliver("Write Timeline", "timeline.otio", "timeline_otio", [1500, 560]),
        deliver("Write EDL", "timeline.edl", "timeline_edl", [1700, 560]),
        deliver("Write Run State", "run-state.json", "run_state_json", [1900, 560]),
        node("Client Callback?", "n8n-nodes-base.filter", {"conditions": condition("9c2d4e6f-1a3b-4c5d-8e7f-000000000001", "={{ $json.callbackUrl }}", {"type": "string", "operation": "notEmpty", "singleValue": True}, validation="loose"), "options": {}}, [2100, 560], 2.2),
        node("Client Callback", "n8n-nodes-base.httpRequest", {"method": "POST", "url": "={{ $json.callbackUrl }}", "sendBody": True, "specifyBody": "json", "jsonBody": CALLBACK_BODY, "options": {"timeout": 30000}}, [2300, 560], 4.2),
        sticky("Delivery", "### Delivery\n**All Done** fires once per run, after every shot passed or needs review. Shots that need review are delivered too and listed in the report. When the brief has a `callbackUrl`, the run's summary (totals, cost per layer, report path) is POSTed to it. For one graded master with the music bed, run *Video pipeline: assemble the cut* (needs ffmpeg and Execute Command).", [700, 760], 520, 160),
    ]
    connections = {
        "Run Sample Brief": {"main": link("Sample Brief")},
        "Sample Brief": {"main": link("Storyboard")},
        "Brief Webhook": {"main": link("Webhook Brief")},
        "Webhook Brief": {"main": link("Storyboard")},
        "Brief Form": {"main": link("Form Brief")},
        "Form Brief": {"main": link("Storyboard")},
        "Storyboard": {"main": link("Pin State")},
        "Pin State": {"main": link("QC Router")},
        "QC Router": {"main": [[], link("Sora (Gateway)")[0], link("Veo Hero")[0], link("Runway B-Roll")[0], [], link("Write Masters")[0]]},
        "Sora (Gateway)": {"main": link("QC Router")},
        "Veo Hero": {"main": link("QC Router")},
        "Runway B-Roll": {"main": link("QC Router")},
        "Write Masters": {"main": link("Report Only")},
        "Report Only": {"main": link("Write QC Report")},
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


def reshoot():
    sample = {"runId": "cafe-launch-001", "shotId": "shot-02", "note": "Slower steam, tighter framing.", "deliveryRoot": "/home/node/.n8n-files/video-deliveries"}
    pick = (
        "={{ JSON.stringify((() => { const r = $('Reshoot Request').first().json; "
        "const item = $json.data.shots.find((s) => s.shot.id === r.shotId); "
        "if (!item) throw new Error('No shot ' + r.shotId + ' in run ' + r.runId); "
        "const layer = item.takes.length ? item.takes[item.takes.length - 1].layer : (item.shot.layer === 'hero' ? 'hero' : 'control'); "
        "const attempts = Object.assign({ narrative: 0, hero: 0, control: 0 }, item.qc ? item.qc.attempts : {}); attempts[layer] += 1; "
        "return Object.assign({}, item, { deliveryRoot: r.deliveryRoot, qc: { attempts, verdicts: [], status: 'retry' }, "
        "retryHint: Object.assign({ layer, newSeed: true }, r.note ? { note: r.note } : {}) }); })()) }}"
    )
    nodes = [
        sticky("About", "## Reshoot one shot\nPOST `{ runId, shotId, note }` to the webhook (or run the sample). The run's saved state (`<runId>-run-state.json`, written by the studio template) gives the shot, its pin and its takes; only that shot is rendered again (new seed, your note added), checked by QC and delivered over its old master. Other shots are not touched.", [-900, -300], 560, 220),
        node("Reshoot Sample", "n8n-nodes-base.manualTrigger", {}, [-900, 0]),
        node("Sample Request", "n8n-nodes-base.set", {"mode": "raw", "jsonOutput": json.dumps(sample, indent=2), "options": {}}, [-680, 0], 3.4),
        node("Reshoot Webhook", "n8n-nodes-base.webhook", {"httpMethod": "POST", "path": "video-reshoot", "authentication": "headerAuth", "responseMode": "onReceived", "options": {}}, [-900, 200], 2.1, {"httpHeaderAuth": {"id": "vpBriefWebhookAuth", "name": "Brief webhook header"}}, webhookId="9b2c4d6e-8f10-4a2b-9c3d-5e7f9a1b3c50"),
        node("Reshoot Request", "n8n-nodes-base.set", {"mode": "raw", "jsonOutput": "={{ JSON.stringify(Object.assign({ deliveryRoot: '/home/node/.n8n-files/video-deliveries', note: '' }, $json.body || $json)) }}", "options": {}}, [-460, 100], 3.4),
        node("Read Run State", "n8n-nodes-base.readWriteFile", {"operation": "read", "fileSelector": "={{ $json.deliveryRoot }}/{{ $json.runId }}-run-state.json", "options": {}}, [-240, 100], 1.1),
        node("Parse Run State", "n8n-nodes-base.extractFromFile", {"operation": "fromJson", "binaryPropertyName": "data", "options": {}}, [-20, 100], 1.1),
        node("Pick Shot", "n8n-nodes-base.set", {"mode": "raw", "jsonOutput": pick, "options": {}}, [200, 100], 3.4),
        node("Hero Shot?", "n8n-nodes-base.if", {"conditions": condition("c0a1b2c3-0000-4000-8000-000000000001", "={{ $json.retryHint.layer }}", {"type": "string", "operation": "equals"}, "hero"), "options": {}}, [420, 100], 2.2),
        node("Veo Hero", f"{PKG}.googleVeo", {"resource": "video", "operation": "generate", "model": "veo-3.1-fast-generate-001", "shotSource": "item", "referenceMode": "pin", "generateAudio": True, "renderOptions": RENDER}, [680, 0], 1, CRED["vertex"]),
        node("Runway B-Roll", f"{PKG}.runway", {"resource": "video", "operation": "textToVideo", "model": "gen4.5", "shotSource": "item", "renderOptions": RENDER}, [680, 220], 1, CRED["runway"]),
        node("QC Router", f"{PKG}.qcRouter", {"retries": {"narrative": 1, "hero": 3, "control": 3}, "barrier": "item"}, [940, 100]),
        deliver("Write Master", "{{ $json.shot.id }}.mp4", "data", [1200, 260]),
        deliver("Write Reshoot QC", "{{ $json.shot.id }}-reshoot-qc.json", "qc_report_json", [1420, 260]),
    ]
    connections = {
        "Reshoot Sample": {"main": link("Sample Request")},
        "Sample Request": {"main": link("Reshoot Request")},
        "Reshoot Webhook": {"main": link("Reshoot Request")},
        "Reshoot Request": {"main": link("Read Run State")},
        "Read Run State": {"main": link("Parse Run State")},
        "Parse Run State": {"main": link("Pick Shot")},
        "Pick Shot": {"main": link("Hero Shot?")},
        "Hero Shot?": {"main": [link("Veo Hero")[0], link("Runway B-Roll")[0]]},
        "Veo Hero": {"main": link("QC Router")},
        "Runway B-Roll": {"main": link("QC Router")},
        "QC Router": {"main": [[], [], link("Veo Hero")[0], link("Runway B-Roll")[0], [], link("Write Master")[0]]},
        "Write Master": {"main": link("Write Reshoot QC")},
    }
    workflow = {"id": "vpReshootOneShot", "name": "Video pipeline: reshoot one shot", "active": False, "nodes": nodes, "connections": connections, "settings": {"executionOrder": "v1", "errorWorkflow": "vpErrorReporter"}, "pinData": {}}
    return split_renders(workflow, ["Veo Hero", "Runway B-Roll"], [-300, -300])


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


CAMPAIGN_BRIEFS = r"""// One storyboard request per campaign: every variant in every format. Veo renders 16:9 and 9:16
// only, so the storyboard puts the shots of 1:1 runs on Runway (see Formats).
const settings = $('Batch Settings').first().json;
return $input.all().map((item) => {
  const c = item.json;
  const ratios = String(c.aspectRatios || '16:9').split(',').map((r) => r.trim()).filter(Boolean);
  const unknown = ratios.filter((r) => !['9:16', '1:1', '16:9'].includes(r));
  if (unknown.length) throw new Error(`Campaign ${c.id} (${c.brand}): aspectRatios: ${unknown.join(', ')} is not 9:16, 1:1 or 16:9`);
  if (!String(c.script || '').trim()) throw new Error(`Campaign ${c.id} (${c.brand}): script: is required`);
  const variants = Math.max(1, Math.floor(Number(c.variants) || 1));
  const runs = variants * ratios.length;
  const slug = String(c.brand).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'brand';
  return {
    json: {
      campaign: { id: c.id, brand: c.brand, product: c.product || '', referenceImages: c.referenceImages || '', look: c.look || '' },
      productTag: (String(c.product || '').toLowerCase().match(/[a-z][a-z0-9_]{2,15}/) || ['product'])[0],
      script: c.script,
      brief: c.brief || '',
      targetSeconds: Number(c.targetSeconds) || 20,
      aspectRatios: ratios,
      variants,
      expectedRuns: runs,
      // The campaign's cap is split evenly over its runs; each run's renders refuse to pass its share.
      budgetPerRunUsd: Math.floor((100 * (Number(c.budgetUsd) || settings.defaultBudgetUsd)) / runs) / 100,
      batch: String($execution.id),
      runIdBase: `${slug}-c${c.id}-${$now.toFormat('yyyyLLdd')}`,
      deliveryRoot: settings.deliveryRoot,
    },
    pairedItem: item.pairedItem,
  };
});
"""


def batch():
    settings = {"deliveryRoot": "/home/node/.n8n-files/video-deliveries", "maxCampaignsPerBatch": 20, "defaultBudgetUsd": 40, "seedSampleCampaigns": True}
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
        "expectedRuns: $json.expectedRuns, reportFile: $json.deliveryRoot + '/' + $json.pipeline.runId + '-qc-report.html', deliveredAt: $now.toISO() }) }}"
    )
    campaign_status = (
        "={{ JSON.stringify({ id: $json.campaignId, runsDelivered: $json.count_runId, costUsd: Math.round($json.sum_costUsd * 1e4) / 1e4, shotsPassed: $json.sum_passed, "
        "shotsNeedReview: $json.sum_needsReview, status: $json.count_runId < $json.expectedRuns ? 'rendering' : ($json.sum_needsReview > 0 ? 'needs_review' : 'delivered'), "
        "deliveredAt: $json.count_runId < $json.expectedRuns ? '' : $now.toISO() }) }}"
    )
    campaign_fields = ["status", "runsDelivered", "shotsPassed", "shotsNeedReview", "costUsd", "deliveredAt"]
    run_fields = [name for name, _ in RUN_COLUMNS]
    nodes = [
        sticky("Setup", "## Scheduled ad batch\nEvery night (or when *Run Batch Now* / the webhook fires) the queued rows of the **video_campaigns** Data Table are claimed, storyboarded, pinned **once per brand**, rendered as N variants x aspect ratios in one batch, checked by QC and delivered per brand. Each run's result lands in **video_campaign_runs**; the campaign row gets its status, cost and shot counts.\n\n1. **Credentials**: OpenAI, Google (Vertex AI) and Runway on the render nodes, or the sandbox's to run without keys.\n2. **Tables** are created on the first run; with `seedSampleCampaigns` the empty table gets two sample campaigns. Turn that off in *Batch Settings* once you add your own.\n3. **Queue a campaign**: add a row with status `queued`.", [-1500, -520], 640, 360),
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
        node("Claim Campaign", "n8n-nodes-base.dataTable", {"resource": "row", "operation": "update", "dataTableId": table_ref(CAMPAIGN_TABLE), "matchType": "allConditions", "filters": where("id", "={{ $json.id }}"),
                                                             "columns": mapped({"status": "rendering", "batch": "={{ String($execution.id) }}", "runsDelivered": 0, "shotsPassed": 0, "shotsNeedReview": 0, "costUsd": 0, "deliveredAt": ""}, CAMPAIGN_COLUMNS), "options": {}}, [-400, 300], 1.1),
        node("Campaign Briefs", "n8n-nodes-base.code", {"jsCode": CAMPAIGN_BRIEFS}, [-180, 300], 2),
        node("Storyboard", f"{PKG}.openAiStoryboard", {"resource": "storyboard", "operation": "createManifest", "model": "gpt-5.4-mini", "script": "={{ $json.script }}", "brandBrief": "={{ $json.brief }}", "targetSeconds": "={{ $json.targetSeconds }}", "aspectRatios": "={{ $json.aspectRatios }}", "variants": "={{ $json.variants }}", "layerPolicy": "dialogueHero", "outputShape": "shots",
                                                                 "run": {"runId": "={{ $json.runIdBase }}", "project": "={{ $json.campaign.brand }} / {{ $json.campaign.product }}", "budgetUsd": "={{ $json.budgetPerRunUsd }}", "resolution": "720p", "heroDurations": "4,6,8", "heroAspectRatios": "16:9, 9:16"}}, [40, 300], 1, CRED["openai"]),
        node("Pin Per Brand", f"{PKG}.pinState", {"resource": "pin", "operation": "create", "pinPer": "groupKey", "groupKey": "={{ $json.campaign.brand }}",
                                                  "characters": {"character": [{"tag": "={{ $json.productTag }}", "description": "={{ $json.campaign.product }}: exact packaging, label and colours as in the reference images", "referenceUrls": "={{ $json.campaign.referenceImages }}", "referenceBinaries": ""}]},
                                                  "useManifestCharacters": True, "grade": {"look": "={{ $json.campaign.look || 'clean commercial look, true-to-life product colours' }}"}, "audioBed": {"mood": "upbeat, modern", "tempoBpm": 112, "dialogueLanguage": "en", "loudnessLufs": -14}, "style": "photoreal commercial, shallow depth of field", "negativePrompt": "text, watermark, competitor logos, extra fingers", "seedPolicy": "per_shot", "seedBase": 2000}, [260, 300]),
        node("QC Router", f"{PKG}.qcRouter", {"retries": {"narrative": 1, "hero": 2, "control": 2}, "barrier": "run"}, [480, 300]),
        node("Sora (Gateway)", f"{PKG}.openAiStoryboard", {"resource": "video", "operation": "render", "model": "sora-2", "shotSource": "item", "inputReference": "none", "renderOptions": RENDER}, [760, 60], 1, CRED["openai"]),
        node("Veo Hero", f"{PKG}.googleVeo", {"resource": "video", "operation": "generate", "model": "veo-3.1-fast-generate-001", "shotSource": "item", "referenceMode": "pin", "generateAudio": True, "renderOptions": RENDER}, [760, 260], 1, CRED["vertex"]),
        node("Square Shot?", "n8n-nodes-base.if", {"conditions": condition("5a0e4b9c-1d2f-4e3a-8b7c-000000000003", "={{ $json.shot.aspectRatio }}", {"type": "string", "operation": "equals"}, "1:1"), "options": {}}, [760, 460], 2.2),
        node("Square Keyframe", f"{PKG}.runway", {"resource": "image", "operation": "textToImage", "model": "gen4_image", "shotSource": "item", "renderOptions": {**RENDER, "binaryPropertyName": "keyframe"}}, [980, 380], 1, CRED["runway"]),
        node("Runway Square", f"{PKG}.runway", {"resource": "video", "operation": "imageToVideo", "model": "gen4.5", "shotSource": "item", "promptImageSource": "binary", "promptImageProperty": "keyframe", "renderOptions": RENDER}, [1200, 380], 1, CRED["runway"]),
        node("Runway B-Roll", f"{PKG}.runway", {"resource": "video", "operation": "textToVideo", "model": "gen4.5", "shotSource": "item", "renderOptions": RENDER}, [980, 560], 1, CRED["runway"]),
        deliver("Write Masters", "{{ $json.shot.id }}.mp4", "data", [760, 700]),
        node("Report Items", "n8n-nodes-base.filter", {"conditions": condition("5a0e4b9c-1d2f-4e3a-8b7c-000000000002", "={{ !!$binary.qc_report_json }}", IS_TRUE), "options": {}}, [980, 700], 2.2),
        deliver("Write QC Report", "qc-report.html", "qc_report_html", [1200, 700]),
        deliver("Write QC JSON", "qc-report.json", "qc_report_json", [1420, 700]),
        deliver("Write Timeline", "timeline.otio", "timeline_otio", [1640, 700]),
        deliver("Write Run State", "run-state.json", "run_state_json", [1860, 700]),
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
        "Queued Campaigns": {"main": link("Claim Campaign")},
        "Claim Campaign": {"main": link("Campaign Briefs")},
        "Campaign Briefs": {"main": link("Storyboard")},
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


CUT_SCRIPT = r"""// Writes the shell script that cuts the run's passed shots, in order, into one graded master.
// Every shot is normalised first (size, 24 fps, stereo 48 kHz; a silent track where a shot has no
// audio) so the concat is seamless; then the pinned LUT (lut3d), the music bed under the shots'
// own sound, and loudness to the pin's target.
const request = $('Assembly Request').first().json;
const state = $json.data;
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
const dir = request.deliveryRoot;
const parts = `${dir}/${state.runId}-cut-parts`;
const out = `${dir}/${state.runId}-cut.mp4`;
const vf = `scale=${w}:${h}:force_original_aspect_ratio=decrease,pad=${w}:${h}:(ow-iw)/2:(oh-ih)/2,setsar=1,fps=24,format=yuv420p`;
const encode = '-c:v libx264 -preset veryfast -crf 18 -pix_fmt yuv420p -c:a aac -ar 48000 -ac 2';
const lines = [
  'set -e',
  'command -v ffmpeg >/dev/null 2>&1 || { echo "ffmpeg is not installed on the n8n host" >&2; exit 127; }',
  `rm -rf ${q(parts)} && mkdir -p ${q(parts)}`,
];
passed.forEach((item, i) => {
  const src = q(`${dir}/${state.runId}-${item.shot.id}.mp4`);
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
  graph.push('[1:a]aformat=sample_rates=48000:channel_layouts=stereo,volume=0.3[bed]', '[0:a][bed]amix=inputs=2:duration=first:normalize=0[mixed]');
  audio = '[mixed]';
}
graph.push(`${audio}loudnorm=I=${lufs}:TP=-1.5:LRA=11,aresample=48000[sound]`);
if (video === '[0:v]') graph.push('[0:v]null[picture]'); else graph.push(`${video}null[picture]`);
lines.push(`ffmpeg -nostdin -y -v error ${inputs.join(' ')} -filter_complex ${q(graph.join(';'))} -map '[picture]' -map '[sound]' ${encode} -movflags +faststart ${q(out)}`);
lines.push(`rm -rf ${q(parts)}`);
return {
  json: {
    runId: state.runId,
    file: out,
    shots: passed.map((s) => s.shot.id),
    seconds: passed.reduce((sum, s) => sum + s.shot.durationSeconds, 0),
    graded: Boolean(lut),
    musicBed: Boolean(music),
    command: lines.join('\n'),
  },
};
"""


def assemble_cut():
    request = "={{ JSON.stringify({ runId: $json.runId || 'cafe-launch-001', deliveryRoot: $json.deliveryRoot || '/home/node/.n8n-files/video-deliveries' }) }}"
    nodes = [
        sticky("About", "## Assemble the cut (optional, needs ffmpeg)\nCuts a delivered run's **passed** shots, in order, into `<runId>-cut.mp4`: every shot normalised to one size and frame rate, the pinned **LUT** applied (lut3d), the pinned **music bed** mixed under the shots' own sound, loudness to the pin's target. Masters, timeline and report are delivered without it.\n\n1. ffmpeg and ffprobe on the n8n host (`apt-get install ffmpeg`).\n2. n8n 2.x disables **Execute Command** by default: start n8n with `NODES_EXCLUDE=\"[]\"` to allow it.\n3. Run it after a delivery (sample: the studio template's run), or call it from another workflow with *Execute Workflow* and `{ runId, deliveryRoot }`.", [-700, -380], 620, 300),
        node("Assemble Run", "n8n-nodes-base.executeWorkflowTrigger", {"inputSource": "passthrough"}, [-700, 100], 1.1),
        node("Assemble Sample", "n8n-nodes-base.manualTrigger", {}, [-700, 280]),
        node("Assembly Request", "n8n-nodes-base.set", {"mode": "raw", "jsonOutput": request, "options": {}}, [-480, 180], 3.4),
        node("Read Run State", "n8n-nodes-base.readWriteFile", {"operation": "read", "fileSelector": "={{ $json.deliveryRoot }}/{{ $json.runId }}-run-state.json", "options": {}}, [-260, 180], 1.1),
        node("Parse Run State", "n8n-nodes-base.extractFromFile", {"operation": "fromJson", "binaryPropertyName": "data", "options": {}}, [-40, 180], 1.1),
        node("Cut Script", "n8n-nodes-base.code", {"mode": "runOnceForEachItem", "jsCode": CUT_SCRIPT}, [180, 180], 2),
        node("Cut With ffmpeg", "n8n-nodes-base.executeCommand", {"command": "={{ $json.command }}", "executeOnce": False}, [400, 180], 1),
        node("Cut OK?", "n8n-nodes-base.if", {"conditions": condition("7d1e2f3a-4b5c-4d6e-8f70-000000000001", "={{ $json.exitCode }}", {"type": "number", "operation": "equals"}, 0), "options": {}}, [620, 180], 2.2),
        node("Cut Summary", "n8n-nodes-base.set", {"mode": "raw", "jsonOutput": "={{ JSON.stringify((({ command, ...cut }) => cut)($('Cut Script').item.json)) }}", "options": {}}, [840, 80], 3.4),
        node("Cut Failed", "n8n-nodes-base.stopAndError", {"errorMessage": "=ffmpeg could not cut run {{ $('Cut Script').item.json.runId }} (exit {{ $json.exitCode }}): {{ $json.stderr.slice(-1500) }}"}, [840, 280], 1),
    ]
    connections = {
        "Assemble Run": {"main": link("Assembly Request")},
        "Assemble Sample": {"main": link("Assembly Request")},
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
    for name, workflow in {"studio-brief-to-delivery.json": studio(), "studio-brief-by-reference.json": studio_by_reference(), "reshoot-one-shot.json": reshoot(), "scheduled-ad-batch.json": batch(), "assemble-cut.json": assemble_cut(), "error-reporter.json": error_reporter()}.items():
        (OUT / name).write_text(json.dumps(workflow, indent=2, ensure_ascii=False) + "\n")


main()
