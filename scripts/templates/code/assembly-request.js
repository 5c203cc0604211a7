// The run to cut: its ID passes the contract's safe character set before it names a file or
// enters the shell script; the folder is this workflow's setting.
const REFUSAL_PREFIX = '';
// @include intake-checks
const settings = $('Cut Settings').first().json;
const given = $('Assemble Run').isExecuted ? $('Assemble Run').first().json.runId : undefined;
return [{ json: { runId: safeId('runId', given === undefined || given === '' ? settings.sampleRunId : given, 128), deliveryRoot: settings.deliveryRoot } }];
