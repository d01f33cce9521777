// Reading progress remembered per browser (localStorage): which sections were opened, and the last one.
// Pure functions over a Storage-like object, so they run the same in a test page.

const PREFIX = "orchestra-lab:progress:";

export function loadProgress(storage, lesson) {
  try {
    const raw = storage.getItem(PREFIX + lesson);
    const data = raw ? JSON.parse(raw) : null;
    if (data && Array.isArray(data.visited)) {
      return { visited: data.visited.filter((s) => typeof s === "string"), last: typeof data.last === "string" ? data.last : null };
    }
  } catch (err) {
    // Private mode or a corrupt value: start afresh rather than break the page.
  }
  return { visited: [], last: null };
}

export function recordVisit(progress, section) {
  const visited = progress.visited.includes(section) ? progress.visited : [...progress.visited, section];
  return { visited, last: section };
}

export function saveProgress(storage, lesson, progress) {
  try {
    storage.setItem(PREFIX + lesson, JSON.stringify(progress));
    return true;
  } catch (err) {
    return false;
  }
}

export function resumeTarget(progress, current, sections) {
  // Offer "continue where you left off" only when the last section read lies ahead of this one.
  if (!progress.last || progress.last === current) return null;
  return sections.indexOf(progress.last) > sections.indexOf(current) ? progress.last : null;
}
