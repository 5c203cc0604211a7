const SAFE_ID = /(?!)/; // @from safeId
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
