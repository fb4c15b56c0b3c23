// A Step Functions Lambda task of the checkout workflow: prices the cart.
export const handler = async (cart) => ({
  total: (cart.items ?? []).reduce((sum, item) => sum + Number(item.price) * Number(item.qty ?? 1), 0),
});
