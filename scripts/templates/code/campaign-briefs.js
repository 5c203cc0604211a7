// One storyboard request per campaign: every variant in every format. Veo renders 16:9 and 9:16
// only, so the storyboard puts the shots of 1:1 runs on Runway (see Formats). Every campaign is
// checked before any is claimed: a bad row stops the batch with the campaign and field named,
// before anything is billed.
const REFUSAL_PREFIX = '';
// @include intake-checks
const settings = $('Batch Settings').first().json;
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
