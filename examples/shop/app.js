// Corner Bakery: a shop that takes payment through the host's wallet (payment.pay), never directly.
const products = [
  { sku: 'croissant', name: 'Butter croissant', price: 180 },
  { sku: 'baguette', name: 'Baguette tradition', price: 130 },
  { sku: 'eclair', name: 'Chocolate eclair', price: 320 },
  { sku: 'tart', name: 'Lemon tart', price: 450 },
];
const cart = new Map();

function totalCents() {
  let sum = 0;
  for (const [sku, qty] of cart) sum += products.find((p) => p.sku === sku).price * qty;
  return sum;
}

function render() {
  const list = document.getElementById('products');
  list.replaceChildren(
    ...products.map((p) => {
      const item = document.createElement('li');
      const label = document.createElement('span');
      label.textContent = `${p.name} · ${(p.price / 100).toFixed(2)} EUR`;
      const add = document.createElement('button');
      add.type = 'button';
      add.textContent = cart.has(p.sku) ? `Add (${cart.get(p.sku)})` : 'Add';
      add.addEventListener('click', () => {
        cart.set(p.sku, (cart.get(p.sku) ?? 0) + 1);
        render();
        saveCart();
      });
      item.append(label, add);
      return item;
    }),
  );
  let count = 0;
  for (const qty of cart.values()) count += qty;
  document.getElementById('cart-count').textContent = String(count);
  document.getElementById('total').textContent = (totalCents() / 100).toFixed(2);
  document.getElementById('pay').disabled = count === 0;
}

async function saveCart() {
  await MiniAppBridge.call('storage.set', { key: 'cart', value: Object.fromEntries(cart) });
}

async function loadCart() {
  const stored = await MiniAppBridge.call('storage.get', { key: 'cart' });
  if (stored && stored.value) {
    for (const [sku, qty] of Object.entries(stored.value)) cart.set(sku, qty);
  }
}

async function pay() {
  const status = document.getElementById('status');
  status.textContent = 'Waiting for the wallet…';
  try {
    const receipt = await MiniAppBridge.call('payment.pay', {
      orderId: `order-${Date.now()}`,
      amount: (totalCents() / 100).toFixed(2),
      currency: 'EUR',
      description: 'Corner Bakery order',
    });
    cart.clear();
    await saveCart();
    render();
    status.textContent = `Paid. Transaction ${receipt.transactionId}.`;
    await MiniAppBridge.call('ui.showToast', { message: 'Thank you!' });
  } catch (error) {
    status.textContent =
      error.code === 'USER_CANCELLED' ? 'Payment cancelled.' : `Payment failed (${error.code}).`;
  }
}

document.getElementById('pay').addEventListener('click', pay);
loadCart().finally(render);
