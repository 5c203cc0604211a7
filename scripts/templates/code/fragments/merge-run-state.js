const mergeRunState = (runId, files) => {
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
