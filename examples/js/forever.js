// Never ends: run "Heatlens: Profile Current File", then Cancel. The profile recorded until then
// is shown, and the process is stopped.
'use strict';

function spin(state) {
  for (let i = 0; i < 1e5; i++) state = (state * 1103515245 + 12345) % 2147483648;
  return state;
}

let state = 1;
for (;;) state = spin(state);
