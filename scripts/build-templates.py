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


def link(*targets):
    return [[{"node": t, "type": "main", "index": 0} for t in targets]]


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
        node("Write Masters", "n8n-nodes-base.readWriteFile", {"operation": "write", "fileName": "={{ $json.deliveryRoot }}/{{ $json.pipeline.runId }}-{{ $json.shot.id }}.mp4", "dataPropertyName": "data", "options": {}}, [700, 560], 1.1),
        node("Report Only", "n8n-nodes-base.limit", {"maxItems": 1}, [900, 560]),
        node("Write QC Report", "n8n-nodes-base.readWriteFile", {"operation": "write", "fileName": "={{ $json.deliveryRoot }}/{{ $json.pipeline.runId }}-qc-report.html", "dataPropertyName": "qc_report_html", "options": {}}, [1100, 560], 1.1),
        node("Write QC JSON", "n8n-nodes-base.readWriteFile", {"operation": "write", "fileName": "={{ $json.deliveryRoot }}/{{ $json.pipeline.runId }}-qc-report.json", "dataPropertyName": "qc_report_json", "options": {}}, [1300, 560], 1.1),
        node("Write Timeline", "n8n-nodes-base.readWriteFile", {"operation": "write", "fileName": "={{ $json.deliveryRoot }}/{{ $json.pipeline.runId }}-timeline.otio", "dataPropertyName": "timeline_otio", "options": {}}, [1500, 560], 1.1),
        node("Write EDL", "n8n-nodes-base.readWriteFile", {"operation": "write", "fileName": "={{ $json.deliveryRoot }}/{{ $json.pipeline.runId }}-timeline.edl", "dataPropertyName": "timeline_edl", "options": {}}, [1700, 560], 1.1),
        node("Write Run State", "n8n-nodes-base.readWriteFile", {"operation": "write", "fileName": "={{ $json.deliveryRoot }}/{{ $json.pipeline.runId }}-run-state.json", "dataPropertyName": "run_state_json", "options": {}}, [1900, 560], 1.1),
        sticky("Delivery", "### Delivery\n**All Done** fires once per run, after every shot passed or needs review. Shots that need review are delivered too and listed in the report. Add a callback (HTTP Request to the client's webhook) after *Write EDL* if the client wants one.", [700, 760], 520, 160),
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
    }
    return {"id": "vpStudioBriefDelivery", "name": "Video pipeline: studio brief to delivery", "active": False, "nodes": nodes, "connections": connections, "settings": {"executionOrder": "v1", "errorWorkflow": "vpErrorReporter"}, "pinData": {}}


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
    condition = {"combinator": "and", "options": {"caseSensitive": True, "leftValue": "", "typeValidation": "strict", "version": 2},
                 "conditions": [{"id": "c0a1b2c3-0000-4000-8000-000000000001", "leftValue": "={{ $json.retryHint.layer }}", "rightValue": "hero", "operator": {"type": "string", "operation": "equals"}}]}
    nodes = [
        sticky("About", "## Reshoot one shot\nPOST `{ runId, shotId, note }` to the webhook (or run the sample). The run's saved state (`<runId>-run-state.json`, written by the studio template) gives the shot, its pin and its takes; only that shot is rendered again (new seed, your note added), checked by QC and delivered over its old master. Other shots are not touched.", [-900, -300], 560, 220),
        node("Reshoot Sample", "n8n-nodes-base.manualTrigger", {}, [-900, 0]),
        node("Sample Request", "n8n-nodes-base.set", {"mode": "raw", "jsonOutput": json.dumps(sample, indent=2), "options": {}}, [-680, 0], 3.4),
        node("Reshoot Webhook", "n8n-nodes-base.webhook", {"httpMethod": "POST", "path": "video-reshoot", "authentication": "headerAuth", "responseMode": "onReceived", "options": {}}, [-900, 200], 2.1, {"httpHeaderAuth": {"id": "vpBriefWebhookAuth", "name": "Brief webhook header"}}, webhookId="9b2c4d6e-8f10-4a2b-9c3d-5e7f9a1b3c50"),
        node("Reshoot Request", "n8n-nodes-base.set", {"mode": "raw", "jsonOutput": "={{ JSON.stringify(Object.assign({ deliveryRoot: '/home/node/.n8n-files/video-deliveries', note: '' }, $json.body || $json)) }}", "options": {}}, [-460, 100], 3.4),
        node("Read Run State", "n8n-nodes-base.readWriteFile", {"operation": "read", "fileSelector": "={{ $json.deliveryRoot }}/{{ $json.runId }}-run-state.json", "options": {}}, [-240, 100], 1.1),
        node("Parse Run State", "n8n-nodes-base.extractFromFile", {"operation": "fromJson", "binaryPropertyName": "data", "options": {}}, [-20, 100], 1.1),
        node("Pick Shot", "n8n-nodes-base.set", {"mode": "raw", "jsonOutput": pick, "options": {}}, [200, 100], 3.4),
        node("Hero Shot?", "n8n-nodes-base.if", {"conditions": condition, "options": {}}, [420, 100], 2.2),
        node("Veo Hero", f"{PKG}.googleVeo", {"resource": "video", "operation": "generate", "model": "veo-3.1-fast-generate-001", "shotSource": "item", "referenceMode": "pin", "generateAudio": True, "renderOptions": RENDER}, [680, 0], 1, CRED["vertex"]),
        node("Runway B-Roll", f"{PKG}.runway", {"resource": "video", "operation": "textToVideo", "model": "gen4.5", "shotSource": "item", "renderOptions": RENDER}, [680, 220], 1, CRED["runway"]),
        node("QC Router", f"{PKG}.qcRouter", {"retries": {"narrative": 1, "hero": 3, "control": 3}, "barrier": "item"}, [940, 100]),
        node("Write Master", "n8n-nodes-base.readWriteFile", {"operation": "write", "fileName": "={{ $json.deliveryRoot }}/{{ $json.pipeline.runId }}-{{ $json.shot.id }}.mp4", "dataPropertyName": "data", "options": {}}, [1200, 260], 1.1),
        node("Write Reshoot QC", "n8n-nodes-base.readWriteFile", {"operation": "write", "fileName": "={{ $json.deliveryRoot }}/{{ $json.pipeline.runId }}-{{ $json.shot.id }}-reshoot-qc.json", "dataPropertyName": "qc_report_json", "options": {}}, [1420, 260], 1.1),
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
    return {"id": "vpReshootOneShot", "name": "Video pipeline: reshoot one shot", "active": False, "nodes": nodes, "connections": connections, "settings": {"executionOrder": "v1", "errorWorkflow": "vpErrorReporter"}, "pinData": {}}


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
    for name, workflow in {"studio-brief-to-delivery.json": studio(), "reshoot-one-shot.json": reshoot(), "error-reporter.json": error_reporter()}.items():
        (OUT / name).write_text(json.dumps(workflow, indent=2, ensure_ascii=False) + "\n")


main()
