/* global location, indexedDB, caches, fetch, WebSocket, sessionStorage */
// The probe of the host conformance suite (spec/conformance.md, "Probe mini-app"). It is the first
// script of every probe document. It takes the bridge binding the host offers (the init message's
// port on the web, the WebKit handler or the Android object natively) and uses no bridge client, so
// what it sends is exactly what a case asks for. It may do what review forbids a package: it tests
// that the host stops it.
(function () {
  'use strict';
  var script = document.currentScript;
  var attr = function (name) {
    return script ? script.getAttribute(name) : null;
  };
  var log = [];
  var violations = [];
  var waiters = [];
  var port = null;
  var binding = null;
  var inits = [];
  var counter = 0;
  var started = Date.now();

  function record(kind, data) {
    var entry = { at: Date.now(), kind: kind, data: data };
    log.push(entry);
    for (var i = waiters.length - 1; i >= 0; i--) {
      if (waiters[i].test(entry)) {
        waiters[i].resolve(entry);
        waiters.splice(i, 1);
      }
    }
    if (kind === 'event' && data && data.name === 'app.show') probe.shownAt = entry.at;
  }

  function receive(message) {
    var value = message;
    if (typeof message === 'string') {
      try {
        value = JSON.parse(message);
      } catch {
        record('other', message);
        return;
      }
    }
    if (value && value.kind === 'response') record('response', value);
    else if (value && value.kind === 'event') record('event', value);
    else record('other', value);
  }

  // Web binding: the init message from the parent, once, with one port (bridge.md).
  window.addEventListener('message', function (event) {
    var data = event.data;
    if (
      !data ||
      typeof data !== 'object' ||
      data.bridge !== 'openminiapp' ||
      data.kind !== 'init'
    ) {
      return;
    }
    var fromParent = event.source === window.parent;
    var info = {
      origin: event.origin,
      fromParent: fromParent,
      ports: event.ports ? event.ports.length : 0,
      message: data,
    };
    inits.push(info);
    record('init', info);
    if (!fromParent || port || !event.ports || event.ports.length !== 1) return;
    port = event.ports[0];
    binding = 'port';
    port.onmessage = function (e) {
      receive(e.data);
    };
    if (port.start) port.start();
  });

  // Native bindings (BRG-035, BRG-038): requests as JSON text, answers through the dispatch function.
  Object.defineProperty(window, '__openminiappDispatch', {
    value: function (text) {
      receive(text);
    },
    writable: false,
    configurable: true,
  });
  var webkit =
    window.webkit && window.webkit.messageHandlers && window.webkit.messageHandlers.openminiapp;
  if (webkit) binding = 'webkit';
  else if (window.OpenMiniAppNative && typeof window.OpenMiniAppNative.postMessage === 'function') {
    binding = 'android';
  }

  document.addEventListener('securitypolicyviolation', function (e) {
    violations.push({
      at: Date.now(),
      directive: e.violatedDirective || e.effectiveDirective,
      blockedURI: e.blockedURI,
    });
  });

  function post(message) {
    if (binding === 'port') {
      port.postMessage(message);
      return true;
    }
    var text = typeof message === 'string' ? message : JSON.stringify(message);
    if (binding === 'webkit') {
      var reply = webkit.postMessage(text);
      if (reply && typeof reply.then === 'function') {
        reply.then(
          function (value) {
            if (typeof value === 'string') receive(value);
          },
          function () {},
        );
      }
      return true;
    }
    if (binding === 'android') {
      window.OpenMiniAppNative.postMessage(text);
      return true;
    }
    return false;
  }

  function waitFor(test, timeoutMs) {
    return new Promise(function (resolve) {
      var found = null;
      for (var i = 0; i < log.length; i++) if (test(log[i])) found = found || log[i];
      if (found) return resolve(found);
      var waiter = { test: test, resolve: resolve };
      waiters.push(waiter);
      setTimeout(function () {
        var at = waiters.indexOf(waiter);
        if (at >= 0) {
          waiters.splice(at, 1);
          resolve(null);
        }
      }, timeoutMs);
    });
  }

  function idOf(message) {
    if (message && typeof message === 'object') return message.id;
    try {
      return JSON.parse(message).id;
    } catch {
      return undefined;
    }
  }

  function delay(ms) {
    return new Promise(function (resolve) {
      setTimeout(resolve, ms);
    });
  }

  function connected(timeoutMs) {
    if (binding) return Promise.resolve(true);
    return waitFor(function (e) {
      return e.kind === 'init';
    }, timeoutMs).then(function () {
      return !!binding;
    });
  }

  var probe = {
    version: 1,
    appId: attr('data-app-id'),
    versionCode: Number(attr('data-version-code')),
    page: attr('data-page'),
    readyAt: null,
    shownAt: null,
    startedAt: started,
    log: log,
    violations: violations,
    inits: inits,
    binding: function () {
      return binding;
    },
    connected: connected,
    // Throws from this script, not from one a driver injects: browsers report an uncaught error of
    // an injected script as "Script error." with no error object, and Chromium fires no
    // unhandledrejection for its promises.
    throwUncaught: function (message) {
      setTimeout(function () {
        throw new RangeError(message);
      }, 0);
      Promise.reject(new TypeError(message));
      return delay(500);
    },
    send: function (message, timeoutMs) {
      var id = idOf(message);
      var since = log.length;
      return connected(5000).then(function (ok) {
        if (!ok) return null;
        post(message);
        if (id === undefined)
          return delay(timeoutMs || 1000).then(function () {
            return null;
          });
        return waitFor(function (e) {
          return e.kind === 'response' && e.data.id === id && log.indexOf(e) >= since;
        }, timeoutMs || 10000).then(function (e) {
          return e ? e.data : null;
        });
      });
    },
    call: function (method, params, timeoutMs) {
      counter += 1;
      var id = 'probe-' + started.toString(36) + '-' + counter;
      var text = JSON.stringify({
        bridge: 'openminiapp',
        v: 1,
        kind: 'request',
        id: id,
        method: method,
        params: params === undefined ? {} : params,
      });
      return probe.send(text, timeoutMs || 30000).then(function (response) {
        return response || { timedOut: true, id: id };
      });
    },
    /** Sends a well-formed request and returns its id at once; the answer lands in the log. */
    start: function (method, params) {
      counter += 1;
      var id = 'probe-' + started.toString(36) + '-' + counter;
      var text = JSON.stringify({
        bridge: 'openminiapp',
        v: 1,
        kind: 'request',
        id: id,
        method: method,
        params: params === undefined ? {} : params,
      });
      if (!binding) return null;
      post(text);
      return id;
    },
    /** The first response of an id, waiting at most timeoutMs. */
    response: function (id, timeoutMs) {
      return waitFor(function (e) {
        return e.kind === 'response' && e.data.id === id;
      }, timeoutMs || 0).then(function (e) {
        return e ? e.data : null;
      });
    },
    responses: function (id) {
      return log
        .filter(function (e) {
          return e.kind === 'response' && e.data.id === id;
        })
        .map(function (e) {
          return e.data;
        });
    },
    events: function (name) {
      return log
        .filter(function (e) {
          return e.kind === 'event' && (!name || e.data.name === name);
        })
        .map(function (e) {
          return { at: e.at, name: e.data.name, data: e.data.data };
        });
    },
    waitForEvent: function (name, timeoutMs) {
      return waitFor(function (e) {
        return e.kind === 'event' && e.data.name === name;
      }, timeoutMs || 10000).then(function (e) {
        return e ? { at: e.at, name: e.data.name, data: e.data.data } : null;
      });
    },
    inspect: function () {
      var entries = function (storage) {
        var out = {};
        try {
          for (var i = 0; i < storage.length; i++)
            out[storage.key(i)] = storage.getItem(storage.key(i));
        } catch (e) {
          return { error: String(e && e.name) };
        }
        return out;
      };
      var databases =
        indexedDB && indexedDB.databases
          ? indexedDB.databases().then(
              function (list) {
                return list.map(function (d) {
                  return d.name;
                });
              },
              function (e) {
                return { error: String(e && e.name) };
              },
            )
          : Promise.resolve([]);
      var cacheNames =
        typeof caches !== 'undefined'
          ? caches.keys().catch(function (e) {
              return { error: String(e && e.name) };
            })
          : Promise.resolve([]);
      return Promise.all([databases, cacheNames]).then(function (r) {
        var cookie;
        try {
          cookie = document.cookie;
        } catch {
          cookie = '';
        }
        return {
          cookie: cookie,
          href: location.href,
          name: window.name,
          localStorage: entries(localStorage),
          sessionStorage: entries(sessionStorage),
          indexedDB: r[0],
          caches: r[1],
        };
      });
    },
    attempt: function (action) {
      var before = violations.length;
      var finish = function (outcome) {
        return delay(action.settleMs || 300).then(function () {
          outcome.violations = violations.slice(before);
          return outcome;
        });
      };
      var fail = function (e) {
        return finish({ ok: false, error: String((e && e.name + ': ' + e.message) || e) });
      };
      try {
        switch (action.kind) {
          case 'fetch':
            return fetch(action.url, { method: 'GET', mode: 'cors', credentials: 'omit' }).then(
              function (res) {
                return res.text().then(function (text) {
                  return finish({ ok: true, status: res.status, body: text.slice(0, 200) });
                });
              },
              fail,
            );
          case 'websocket':
            return new Promise(function (resolve) {
              var socket;
              try {
                socket = new WebSocket(action.url);
              } catch (e) {
                resolve(fail(e));
                return;
              }
              var timer = setTimeout(function () {
                resolve(finish({ ok: false, error: 'timeout' }));
              }, 3000);
              socket.onopen = function () {
                clearTimeout(timer);
                socket.close();
                resolve(finish({ ok: true }));
              };
              socket.onerror = function () {
                clearTimeout(timer);
                resolve(finish({ ok: false, error: 'error event' }));
              };
            });
          case 'readTop':
            return finish({ ok: true, value: String(window.top.document.title) });
          case 'readParent':
            return finish({ ok: true, value: String(window.parent.document.title) });
          case 'navigateTop':
            window.top.location.href = action.url;
            return finish({ ok: true });
          case 'popup': {
            var opened = window.open(action.url, '_blank');
            return finish({ ok: !!opened });
          }
          case 'worker': {
            var worker = new window.Worker(action.url);
            return finish({ ok: !!worker });
          }
          default:
            return finish({ ok: false, error: 'unknown action' });
        }
      } catch (e) {
        return fail(e);
      }
    },
  };

  Object.defineProperty(window, '__openMiniAppProbe', { value: probe, writable: false });
  window.addEventListener('load', function () {
    probe.readyAt = Date.now();
  });
})();
