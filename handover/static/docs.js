// Stands in for the jQuery/bootstrap code GX pages call, which is not available offline.
document.documentElement.classList.add("js");

function hoSetHidden(element, hidden) {
  if (element) element.style.display = hidden ? "none" : "";
}

function hoFilterSucceeded(hide) {
  document.querySelectorAll(".hide-succeeded-validation-target-child").forEach(function (el) {
    hoSetHidden(el.parentElement, hide);
  });
  document.querySelectorAll(".hide-succeeded-validation-target, tr.ho-row-pass").forEach(function (el) {
    hoSetHidden(el, hide);
  });
  document.querySelectorAll(".hide-succeeded-validations-column-section-target-child").forEach(function (el) {
    var section = el.parentElement && el.parentElement.parentElement;
    if (!section) return;
    hoSetHidden(section, hide);
    if (section.id) {
      document.querySelectorAll('a[href="#' + section.id + '"]').forEach(function (a) { hoSetHidden(a, hide); });
    }
  });
}

function showAllValidations() { hoFilterSucceeded(false); }
function hideSucceededValidations() { hoFilterSucceeded(true); }

document.addEventListener("click", function (event) {
  var link = event.target.closest('[data-toggle="collapse"]');
  if (!link) return;
  event.preventDefault();
  var target = document.getElementById((link.getAttribute("href") || "").slice(1));
  if (target) {
    target.classList.toggle("show");
    link.setAttribute("aria-expanded", String(target.classList.contains("show")));
  }
});
