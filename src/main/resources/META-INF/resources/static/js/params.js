/* A server's declared parameters as form fields (the deploy dialog, a schedule's values), and their values back. */

/* One input per declared parameter (and REF, the version, when the server does not declare it); options.skipSecrets
 * leaves secret ones out (a schedule stores its values and may not hold a secret). */
export function parameterFields(server, options = {}) {
  const specs = ((server && server.parameters) || []).filter(p => !(options.skipSecrets && p.type === 'secret'));
  const all = specs.some(p => p.name === 'REF') ? specs
    : [{ name: 'REF', label: 'Version (branch, tag or commit; optional)', type: 'string' }].concat(specs);
  return all.map(p => {
    const label = document.createElement('label');
    label.className = 'field';
    const caption = document.createElement('span');
    caption.textContent = (p.label || p.name) + (p.required ? ' *' : '');
    let input;
    if (p.type === 'choice') {
      input = document.createElement('select');
      if (!p.required) input.append(new Option('', ''));
      (p.choices || []).forEach(c => input.append(new Option(c, c, false, p.default === c)));
    } else {
      input = document.createElement('input');
      input.type = p.type === 'secret' ? 'password' : p.type === 'integer' ? 'number' : p.type === 'boolean' ? 'checkbox' : 'text';
      if (p.type === 'boolean') input.checked = p.default === true;
      else if (p.default != null) input.value = String(p.default);
      if (p.type === 'integer') { if (p.min != null) input.min = p.min; if (p.max != null) input.max = p.max; }
      if (p.type === 'secret') input.autocomplete = 'off';
    }
    input.name = p.name;
    input.dataset.type = p.type || 'string';
    if (p.required && p.type !== 'boolean') input.required = true;
    label.append(caption, input);
    return label;
  });
}

/* The fields' values as the API takes them: empty ones left out (the declaration's default applies). */
export function parameterValues(fields) {
  const values = {};
  fields.forEach(label => {
    const input = label.querySelector('input, select');
    if (input.dataset.type === 'boolean') values[input.name] = input.checked;
    else if (input.value !== '') values[input.name] = input.dataset.type === 'integer' ? Number(input.value) : input.value;
  });
  return values;
}

/* Recorded values into the fields (secret fields stay empty: a value is never shown again). */
export function fillParameters(fields, values) {
  fields.forEach(label => {
    const input = label.querySelector('input, select');
    if (!input || input.dataset.type === 'secret' || !(input.name in values)) return;
    if (input.dataset.type === 'boolean') input.checked = String(values[input.name]) === 'true';
    else input.value = values[input.name];
  });
}
