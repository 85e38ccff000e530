// Web Push on this phone, from the reminders page (/settings/notifications/).
//
// The browser asks for permission only after a tap on "Turn on": never on
// page load. The subscription is made with the server's VAPID public key and
// registered through the API (session cookie + CSRF header); "Turn off"
// unsubscribes this phone and tells the server to forget it. What a
// notification shows is decided by the service worker (/sw.js): a fixed
// title, no content.
//
// window.SteadyPush.register(subscription) and .unregister(endpoint) are the
// two API calls on their own, so they can be used (and tested) without a
// real push service.
(() => {
  "use strict";

  const root = document.querySelector("[data-push]");
  const urls = {
    key: root?.dataset.vapidUrl || "/api/v1/push/vapid-public-key/",
    subscriptions: root?.dataset.subscriptionsUrl || "/api/v1/push/subscriptions/",
    preferences: root?.dataset.preferencesUrl || "/api/v1/me/notification-preferences/",
  };

  const cookie = (name) => {
    const found = document.cookie.split("; ").find((part) => part.startsWith(`${name}=`));
    return found ? decodeURIComponent(found.slice(name.length + 1)) : "";
  };
  const csrfToken = () =>
    cookie("csrftoken") || document.querySelector("input[name=csrfmiddlewaretoken]")?.value || "";

  async function api(method, url, body) {
    const response = await fetch(url, {
      method,
      credentials: "same-origin",
      headers: { Accept: "application/json", "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${method} ${url} answered ${response.status}`);
    return response;
  }

  const SteadyPush = {
    /** Registers a PushSubscription (or its JSON) with the server for the signed-in person. */
    async register(subscription) {
      const json = typeof subscription.toJSON === "function" ? subscription.toJSON() : subscription;
      const keys = json.keys || {};
      await api("POST", urls.subscriptions, { endpoint: json.endpoint, keys: { p256dh: keys.p256dh, auth: keys.auth } });
    },
    /** Tells the server to forget this endpoint. */
    async unregister(endpoint) {
      await api("DELETE", urls.subscriptions, { endpoint });
    },
  };
  window.SteadyPush = SteadyPush;

  if (!root) return;

  const status = root.querySelector("[data-push-status]");
  const onButton = root.querySelector("[data-push-on]");
  const offButton = root.querySelector("[data-push-off]");
  const actions = onButton.parentElement;
  const prefsCheckbox = document.querySelector("input[name=push][type=checkbox]");

  const MESSAGES = {
    checking: [gettext("Checking this phone…"), ""],
    unavailable: [
      gettext("Phone notifications aren't available in Steady yet."),
      gettext("Your reminders still show in Steady under Notifications, and by email if you chose it."),
    ],
    unsupported: [
      gettext("This browser can't show notifications."),
      gettext(
        "On an iPhone or iPad, add Steady to your Home Screen first (tap Share, then Add to Home Screen) and open it from there. Reminders still show in Steady under Notifications.",
      ),
    ],
    denied: [
      gettext("Blocked in this browser."),
      gettext(
        "To allow notifications, open this site's settings in the browser (the icon beside the address, or Settings › Site settings › Notifications), allow them, then come back here.",
      ),
    ],
    off: [gettext("Off on this phone."), gettext("Turn them on to get your reminders here, even when Steady is closed.")],
    on: [
      gettext("On for this phone."),
      gettext("Reminders come here, with no details on the lock screen. Quiet hours still apply."),
    ],
    dismissed: [gettext("Still off."), gettext("The browser didn't get a yes. Tap the button again when you're ready.")],
    failed: [
      gettext("That didn't work."),
      gettext(
        "This browser's push service didn't answer, so notifications are still off on this phone. Check the connection and try again in a moment.",
      ),
    ],
    offFailed: [
      gettext("That didn't work."),
      gettext("Steady couldn't turn them off just now. Check the connection and try again."),
    ],
    error: [gettext("Couldn't check this phone."), gettext("Check the connection, then reload the page.")],
  };

  let busy = false;

  function show(state, { focus = false } = {}) {
    root.dataset.state = state;
    const [headline, detail] = MESSAGES[state];
    status.replaceChildren();
    const strong = document.createElement("strong");
    strong.textContent = headline;
    status.append(strong);
    if (detail) status.append(` ${detail}`);
    const on = state === "on";
    onButton.hidden = on || ["checking", "unavailable", "unsupported", "denied", "error"].includes(state);
    offButton.hidden = !on;
    actions.hidden = onButton.hidden && offButton.hidden;
    if (focus) {
      const next = [onButton, offButton].find((b) => !b.hidden);
      (next || status).focus();
    }
  }

  const supported = () =>
    window.isSecureContext && "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;

  const withTimeout = (promise, ms, message) =>
    Promise.race([promise, new Promise((_, reject) => setTimeout(() => reject(new Error(message)), ms))]);

  // steady.js registers the worker once the page has loaded; registering
  // again is harmless and makes this page not depend on the order.
  function workerReady() {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {});
    return withTimeout(navigator.serviceWorker.ready, 15000, "the service worker did not start");
  }

  const toBytes = (base64url) => {
    const base64 = (base64url + "=".repeat((4 - (base64url.length % 4)) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  };
  const sameKey = (buffer, key) => {
    if (!buffer) return true; // the browser doesn't say: assume it is ours
    const a = new Uint8Array(buffer);
    return a.length === key.length && a.every((byte, i) => byte === key[i]);
  };

  let publicKey = null;

  async function fetchKey() {
    const response = await fetch(urls.key, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error(`key: ${response.status}`);
    const { public_key: key } = await response.json();
    return key ? toBytes(key) : null;
  }

  async function currentState() {
    if (!supported()) return "unsupported";
    publicKey = await fetchKey();
    if (!publicKey) return "unavailable";
    if (Notification.permission === "denied") return "denied";
    if (Notification.permission !== "granted") return "off";
    const registration = await workerReady();
    const subscription = await registration.pushManager.getSubscription();
    if (!subscription) return "off";
    if (!sameKey(subscription.options && subscription.options.applicationServerKey, publicKey)) {
      // Made with a key this server no longer uses: it can never deliver.
      await subscription.unsubscribe().catch(() => {});
      return "off";
    }
    // Keep the server in step (after the browser renewed it, or on a phone
    // now used by someone else); registering twice is harmless.
    SteadyPush.register(subscription).catch(() => {});
    return "on";
  }

  async function turnOn() {
    // Asked here, after the tap, and nowhere else.
    const permission = await Notification.requestPermission();
    if (permission === "denied") return "denied";
    if (permission !== "granted") return "dismissed";
    let subscription;
    try {
      const registration = await workerReady();
      subscription =
        (await registration.pushManager.getSubscription()) ||
        (await withTimeout(
          registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: publicKey }),
          20000,
          "the push service did not answer",
        ));
      await SteadyPush.register(subscription);
    } catch {
      if (subscription) await subscription.unsubscribe().catch(() => {});
      return "failed";
    }
    // "Phone notifications" off in the form below would mean none arrive:
    // turning them on for this phone turns that on too.
    if (prefsCheckbox && !prefsCheckbox.checked) {
      await api("PATCH", urls.preferences, { push: true })
        .then(() => {
          prefsCheckbox.checked = true;
        })
        .catch(() => {});
    }
    return "on";
  }

  async function turnOff() {
    try {
      const registration = await workerReady();
      const subscription = await registration.pushManager.getSubscription();
      if (subscription) {
        const { endpoint } = subscription;
        await subscription.unsubscribe();
        // If this fails the server learns it at the next reminder anyway:
        // the push service refuses an endpoint that was unsubscribed.
        await SteadyPush.unregister(endpoint).catch(() => {});
      }
      return "off";
    } catch {
      return "offFailed";
    }
  }

  async function act(button, action) {
    if (busy) return;
    busy = true;
    button.setAttribute("aria-disabled", "true");
    try {
      show(await action(), { focus: true });
    } finally {
      button.removeAttribute("aria-disabled");
      busy = false;
    }
  }

  root.hidden = false;
  show("checking");
  onButton.addEventListener("click", () => act(onButton, turnOn));
  offButton.addEventListener("click", () => act(offButton, turnOff));

  const refresh = () =>
    currentState()
      .then((state) => show(state))
      .catch(() => show("error"));
  refresh();

  // Allowed again in the browser's settings while this page is open.
  navigator.permissions
    ?.query({ name: "notifications" })
    .then((permission) => {
      permission.addEventListener("change", () => {
        if (!busy) refresh();
      });
    })
    .catch(() => {});
})();
