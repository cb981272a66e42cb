// A searchable time zone picker (an ARIA 1.2 combobox with a list box), computed in the
// browser: the zone names come with the page, each zone's offset is read from the browser's
// own tz data when the list opens, so it is the offset of today, wherever the page is viewed.
// Keyboard: type to filter, Down/Up to move, Enter to choose, Escape to close.
import { useEffect, useId, useMemo, useRef, useState } from "react";

const offsetFormats = new Map();

// "UTC+01:00", "UTC-03:30", "UTC+00:00": the zone's offset at `now` (ASCII signs).
function utcOffset(zone, now) {
  try {
    let format = offsetFormats.get(zone);
    if (!format) {
      format = new Intl.DateTimeFormat("en-US", { timeZone: zone, timeZoneName: "longOffset" });
      offsetFormats.set(zone, format);
    }
    const part = format.formatToParts(now).find((p) => p.type === "timeZoneName");
    const text = (part ? part.value : "GMT").replace("\u2212", "-");
    return text === "GMT" ? "UTC+00:00" : text.replace("GMT", "UTC");
  } catch (error) {
    return "";
  }
}

function normalised(text) {
  return text.toLowerCase().replaceAll("_", " ").replaceAll("\u2212", "-");
}

function entry(zone, now) {
  const offset = utcOffset(zone, now);
  const label = offset ? `${zone} (${offset})` : zone;
  // Also found as "utc+1", "+1", "+5:30": the offset as people say it.
  const short = offset.replace(/([+-])0?(\d+):00$/, "$1$2").replace(/([+-])0(\d)/, "$1$2");
  const city = normalised(zone.slice(zone.lastIndexOf("/") + 1));
  return { zone, label, city, key: `${normalised(label)} ${normalised(short)}` };
}

export function TimeZonePicker({
  label,
  value,
  zones,
  preferred,
  onChange,
  placeholder,
  emptyText,
  id,
}) {
  const generated = useId();
  const inputId = id || `tz-${generated.replaceAll(":", "")}`;
  const listId = `${inputId}-list`;
  const [open, setOpen] = useState(false);
  const [query, setQuery] = useState("");
  const [active, setActive] = useState(0);
  const [now, setNow] = useState(() => new Date());
  const listRef = useRef(null);

  const entries = useMemo(() => {
    const names = Array.isArray(zones) ? zones : [];
    const first = preferred && names.includes(preferred) ? [preferred] : [];
    return [...first, ...names.filter((z) => z !== preferred)].map((z) => entry(z, now));
  }, [zones, preferred, now]);

  const shown = useMemo(() => {
    const wanted = normalised(query.trim());
    if (!wanted) return entries;
    const found = entries.filter((e) => e.key.includes(wanted));
    // Cities whose name starts with what was typed come first: "par" lists Paris early.
    return [
      ...found.filter((e) => e.city.startsWith(wanted)),
      ...found.filter((e) => !e.city.startsWith(wanted)),
    ];
  }, [entries, query]);

  const current = useMemo(
    () => (value ? entries.find((e) => e.zone === value) || entry(value, now) : null),
    [entries, value, now],
  );

  useEffect(() => {
    if (!open || !listRef.current) return;
    const option = listRef.current.querySelector(`[data-index="${active}"]`);
    if (option && option.scrollIntoView) option.scrollIntoView({ block: "nearest" });
  }, [open, active]);

  const openList = () => {
    if (!open) {
      setNow(new Date());
      setQuery("");
      const index = entries.findIndex((e) => e.zone === value);
      setActive(index < 0 ? 0 : index);
      setOpen(true);
    }
  };
  const choose = (item) => {
    setOpen(false);
    setQuery("");
    if (item && item.zone !== value && onChange) onChange(item.zone);
  };
  const onKeyDown = (event) => {
    const last = shown.length - 1;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (!open) return openList();
      const step = event.key === "ArrowDown" ? 1 : -1;
      setActive((i) => Math.min(Math.max(i + step, 0), Math.max(last, 0)));
    } else if (event.key === "Home" && open) {
      event.preventDefault();
      setActive(0);
    } else if (event.key === "End" && open) {
      event.preventDefault();
      setActive(Math.max(last, 0));
    } else if (event.key === "Enter") {
      if (open) {
        event.preventDefault();
        choose(shown[active]);
      }
    } else if (event.key === "Escape" && open) {
      event.preventDefault();
      setOpen(false);
      setQuery("");
    }
  };

  const activeItem = open ? shown[active] : undefined;
  const optionId = (index) => `${listId}-${index}`;
  return (
    <div className="tz-picker" style={{ position: "relative", width: "100%", maxWidth: "26em" }}>
      <label
        htmlFor={inputId}
        style={{ display: "block", fontWeight: 500, marginBottom: "0.25em" }}
      >
        {label}
      </label>
      <input
        id={inputId}
        type="text"
        role="combobox"
        aria-autocomplete="list"
        aria-expanded={open ? "true" : "false"}
        aria-controls={listId}
        aria-activedescendant={activeItem ? optionId(active) : undefined}
        autoComplete="off"
        spellCheck={false}
        placeholder={placeholder}
        value={open ? query : current ? current.label : ""}
        onFocus={(event) => event.target.select()}
        onClick={openList}
        onChange={(event) => {
          if (!open) {
            setNow(new Date());
            setOpen(true);
          }
          setQuery(event.target.value);
          setActive(0);
        }}
        onKeyDown={onKeyDown}
        onBlur={() => {
          setOpen(false);
          setQuery("");
        }}
        style={{
          width: "100%",
          boxSizing: "border-box",
          padding: "0.45em 0.6em",
          font: "inherit",
          border: "1px solid var(--gray-8, #8b8d98)",
          borderRadius: "var(--radius-2, 4px)",
          background: "var(--color-surface, #fff)",
          color: "inherit",
        }}
      />
      <ul
        id={listId}
        ref={listRef}
        role="listbox"
        aria-label={label}
        hidden={!open}
        style={{
          position: "absolute",
          zIndex: 50,
          left: 0,
          right: 0,
          margin: "0.2em 0 0",
          padding: "0.25em 0",
          listStyle: "none",
          maxHeight: "16em",
          overflowY: "auto",
          background: "var(--color-panel-solid, #fff)",
          border: "1px solid var(--gray-7, #b9bbc6)",
          borderRadius: "var(--radius-2, 4px)",
          boxShadow: "0 4px 16px rgba(0, 0, 0, 0.15)",
        }}
      >
        {open && shown.length === 0 ? (
          <li role="presentation" style={{ padding: "0.4em 0.7em", color: "var(--gray-11)" }}>
            {emptyText}
          </li>
        ) : null}
        {open
          ? shown.map((item, index) => (
              <li
                key={item.zone}
                id={optionId(index)}
                data-index={index}
                role="option"
                aria-selected={item.zone === value ? "true" : "false"}
                onMouseDown={(event) => event.preventDefault()}
                onClick={() => choose(item)}
                onMouseMove={() => index !== active && setActive(index)}
                style={{
                  padding: "0.4em 0.7em",
                  cursor: "pointer",
                  overflowWrap: "anywhere",
                  fontWeight: item.zone === value ? 600 : 400,
                  background: index === active ? "var(--accent-4, #e0e4ff)" : "transparent",
                  outline: index === active ? "2px solid var(--accent-8, #6e7bdc)" : "none",
                  outlineOffset: "-2px",
                }}
              >
                {item.label}
              </li>
            ))
          : null}
      </ul>
    </div>
  );
}
