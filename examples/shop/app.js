// Corner Bakery: a shop that takes payment through the host's wallet (payment.pay), never directly.
// It names what it sells by the product ids of its price list on the platform; the price it shows
// here is only a label: the host charges, and shows in its own sheet, the platform's price.
const products = [
  { productId: 'croissant', name: 'Butter croissant', label: '1.80 EUR' },
  { productId: 'baguette', name: 'Baguette tradition', label: '1.30 EUR' },
  { productId: 'eclair', name: 'Chocolate eclair', label: '3.20 EUR' },
  { productId: 'lemon-tart', name: 'Lemon tart', label: '4.50 EUR' },
];
let orders = [];

function render() {
  const list = document.getElementById('products');
  list.replaceChildren(
    ...products.map((p) => {
      const item = document.createElement('li');
      const label = document.createElement('span');
      label.textContent = `${p.name} · ${p.label}`;
      const buy = document.createElement('button');
      buy.type = 'button';
      buy.textContent = 'Buy';
      buy.addEventListener('click', () => pay(p));
      item.append(label, buy);
      return item;
    }),
  );
  document.getElementById('order-count').textContent = String(orders.length);
}

async function saveOrders() {
  await MiniAppBridge.call('storage.set', { key: 'orders', value: orders.slice(-20) });
}

async function loadOrders() {
  const stored = await MiniAppBridge.call('storage.get', { key: 'orders' });
  if (stored && Array.isArray(stored.value)) orders = stored.value;
}

async function pay(product) {
  const status = document.getElementById('status');
  status.textContent = 'Waiting for the wallet…';
  // One order id per purchase: a retried call never charges the order twice.
  const orderId = `order-${Date.now()}-${product.productId}`;
  try {
    const receipt = await MiniAppBridge.call('payment.pay', {
      productId: product.productId,
      orderId,
    });
    orders.push({ orderId, productId: product.productId, transactionId: receipt.transactionId });
    await saveOrders();
    render();
    status.textContent = `Paid. Transaction ${receipt.transactionId}.`;
    await MiniAppBridge.call('ui.showToast', { message: 'Thank you!' });
  } catch (error) {
    status.textContent =
      error.code === 'USER_CANCELLED'
        ? 'Payment cancelled.'
        : error.code === 'PAYMENT_DECLINED'
          ? 'Payment declined: nothing was charged.'
          : `Payment failed (${error.code}).`;
  }
}

loadOrders().finally(render);
