// Small progressive enhancements; every page works without them.
//
// Words a person reads are marked with gettext/ngettext/interpolate (Django's
// JavaScript catalog, /jsi18n/, loaded before this file in base.html;
// docs/translations.md). Where the catalog could not load (offline), these
// stand-ins show the English.
if (typeof window.gettext !== "function") {
  window.gettext = (msgid) => msgid;
  window.ngettext = (singular, plural, count) => (count === 1 ? singular : plural);
  window.pgettext = (context, msgid) => msgid;
  window.interpolate = (fmt, obj, named) =>
    named ? fmt.replace(/%\(\w+\)s/g, (match) => String(obj[match.slice(2, -2)])) : fmt.replace(/%s/g, () => String(obj.shift()));
  window.get_format = (name) => name;
}

(() => {
  "use strict";

  const deviceTimezone = () => {
    try {
      return Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    } catch {
      return "";
    }
  };
  // A <select>, or a text input completed from its <datalist>.
  const hasOption = (field, value) => {
    const options = field.options || (field.list && field.list.options) || [];
    return [...options].some((o) => o.value === value);
  };

  // The service worker makes Steady installable and shows a calm page when
  // there is no network (it stores no page with anyone's data: see /sw.js).
  // Push notifications are turned on per phone, in static/js/push.js.
  if ("serviceWorker" in navigator && window.isSecureContext) {
    window.addEventListener("load", () => {
      navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {
        // Without it the site works as a plain website.
      });
    });
  }

  // Signing out of this phone also stops this phone's notifications: the
  // server forgets its push subscription (while the session still allows
  // it) and the browser drops it. Never holds up the sign-out for long;
  // without JavaScript the sign-out still works (see docs/pwa.md).
  async function forgetPushOnThisPhone(form) {
    if (!("serviceWorker" in navigator) || !("PushManager" in window)) return;
    const registration = await navigator.serviceWorker.getRegistration("/");
    const subscription = registration && (await registration.pushManager.getSubscription());
    if (!subscription) return;
    const token = form.querySelector("input[name=csrfmiddlewaretoken]")?.value || "";
    await fetch("/api/v1/push/subscriptions/", {
      method: "DELETE",
      credentials: "same-origin",
      headers: { Accept: "application/json", "Content-Type": "application/json", "X-CSRFToken": token },
      body: JSON.stringify({ endpoint: subscription.endpoint }),
    }).catch(() => {});
    await subscription.unsubscribe().catch(() => {});
  }

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.matches("[data-sign-out]") || form.dataset.pushForgotten) return;
    event.preventDefault();
    // Drafts kept on this phone (the trigger log's) go with the sign-out.
    try {
      Object.keys(localStorage)
        .filter((key) => key.startsWith("steady:draft:"))
        .forEach((key) => localStorage.removeItem(key));
    } catch (e) {
      /* storage unavailable: nothing was kept */
    }
    const giveUp = new Promise((resolve) => setTimeout(resolve, 3000));
    Promise.race([forgetPushOnThisPhone(form).catch(() => {}), giveUp]).then(() => {
      form.dataset.pushForgotten = "1";
      HTMLFormElement.prototype.submit.call(form);
    });
  });

  document.addEventListener("DOMContentLoaded", () => {
    const tz = deviceTimezone();

    // Sign-up: pre-fill the phone's timezone while the picker is untouched
    // (still the default UTC, or empty); never over what the person typed.
    document.querySelectorAll("[data-detect-timezone]").forEach((select) => {
      if (tz && (select.value === "UTC" || !select.value) && (select.defaultValue === undefined || select.value === select.defaultValue) && hasOption(select, tz)) {
        select.value = tz;
      }
    });

    // Settings: offer the phone's timezone when it differs (after travel).
    document.querySelectorAll("[data-device-timezone]").forEach((select) => {
      const note = select.form && select.form.querySelector("[data-device-timezone-note]");
      if (!note || !tz || !hasOption(select, tz)) return;
      const update = () => {
        note.hidden = select.value === tz;
      };
      note.querySelector("[data-device-timezone-name]").textContent = tz.replaceAll("_", " ");
      note.querySelector("[data-use-device-timezone]").addEventListener("click", () => {
        select.value = tz;
        update();
        select.focus();
      });
      select.addEventListener("change", update);
      select.addEventListener("input", update);
      update();
    });

    // Pair page: copy the code, where the browser allows it.
    document.querySelectorAll("[data-copy]").forEach((button) => {
      if (!navigator.clipboard || !window.isSecureContext) return;
      const status = button.parentElement.querySelector("[data-copy-status]");
      button.hidden = false;
      button.addEventListener("click", async () => {
        try {
          await navigator.clipboard.writeText(button.dataset.copy);
          button.textContent = gettext("Copied");
          if (status) status.textContent = gettext("Code copied.");
        } catch {
          button.textContent = gettext("Copy didn't work; read it out instead");
        }
      });
    });

    // A form sent once is not sent twice by an impatient second tap.
    document.querySelectorAll("form[method=post]").forEach((form) => {
      form.addEventListener("submit", (event) => {
        if (form.dataset.sent) {
          event.preventDefault();
          return;
        }
        form.dataset.sent = "1";
        form.querySelectorAll("button[type=submit]").forEach((b) => b.setAttribute("aria-disabled", "true"));
      });
    });
    // Coming back with the back button restores the page from cache: let it be sent again.
    window.addEventListener("pageshow", () => {
      document.querySelectorAll("form[data-sent]").forEach((form) => {
        delete form.dataset.sent;
        form.querySelectorAll("button[aria-disabled]").forEach((b) => b.removeAttribute("aria-disabled"));
      });
    });

    // The offline page (served by the service worker in place of a page it
    // could not fetch): try again by itself once the phone is back online.
    const offline = document.querySelector("[data-offline-page]");
    if (offline) {
      const status = offline.querySelector("[data-offline-status]");
      offline.querySelector("[data-reload]")?.addEventListener("click", (event) => {
        event.preventDefault();
        window.location.reload();
      });
      window.addEventListener("online", () => {
        if (status) status.textContent = gettext("Back online. Opening the page again.");
        // A moment for the connection to settle before asking again.
        setTimeout(() => window.location.reload(), 1000);
      });
    }

    // "Skip to content" moves focus without adding #main to the address:
    // a form sent afterwards would come back to #main, and the browser would
    // then focus <main> instead of the error below.
    const skip = document.querySelector("a.skip[href='#main']");
    const main = document.getElementById("main");
    if (skip && main) {
      skip.addEventListener("click", (event) => {
        event.preventDefault();
        main.focus();
        main.scrollIntoView();
      });
    }

    // After a failed submit, move focus to what needs fixing.
    const problem = document.querySelector("main .form-errors, main [aria-invalid=true]");
    if (problem) {
      problem.focus({ preventScroll: true });
      problem.scrollIntoView({ block: "center" });
    }
  });
})();
