/* The colour scheme the viewer chose (light, dark; none: the system's), applied before the page is drawn so that it
 * never flashes the other one. A classic script on purpose: modules run only after the document is parsed. */
(function () {
  try {
    var t = localStorage.getItem('td-theme');
    if (t === 'light' || t === 'dark') document.documentElement.setAttribute('data-theme', t);
  } catch (e) { /* storage refused: the system's scheme */ }
})();
