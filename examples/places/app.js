// Place Finder: asks the host for the device location (permission "location"), then queries the
// partner's API through the host, which only lets requests reach the manifest's allowedDomains.
const API = 'https://api.placefinder.example/v1/places';

function show(places) {
  const list = document.getElementById('results');
  list.replaceChildren(
    ...places.map((place) => {
      const item = document.createElement('li');
      item.textContent = `${place.name} (${place.distanceMeters} m)`;
      return item;
    }),
  );
}

async function find(event) {
  event.preventDefault();
  const status = document.getElementById('status');
  const kind = document.getElementById('kind').value;
  status.textContent = 'Locating…';
  try {
    const position = await MiniAppBridge.call('location.getCurrent', { accuracy: 'coarse' });
    status.textContent = 'Searching…';
    const response = await MiniAppBridge.call('network.request', {
      url: `${API}?kind=${encodeURIComponent(kind)}&lat=${position.latitude}&lon=${position.longitude}`,
      method: 'GET',
    });
    const places = JSON.parse(response.body).places ?? [];
    show(places);
    status.textContent = places.length ? `${places.length} places nearby.` : 'Nothing nearby.';
  } catch (error) {
    status.textContent =
      error.code === 'PERMISSION_DENIED'
        ? 'Location is off for Place Finder. You can allow it in the app settings.'
        : `Could not search (${error.code}).`;
  }
}

document.getElementById('search').addEventListener('submit', find);
