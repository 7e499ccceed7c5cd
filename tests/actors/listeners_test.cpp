#include "actors/listeners.hpp"

#include <gtest/gtest.h>

namespace glimpse::actors {
namespace {

using IntListener = Listener<int>;

TEST(Registry, NotifiesAnAddedListenerUntilCancelled) {
  auto registry = std::make_shared<Registry<int>>();
  int calls = 0;
  auto l = std::make_shared<IntListener>([&](const int&) { ++calls; });
  registry->add(1, l);
  registry->notify(1, 0);
  EXPECT_EQ(calls, 1);
  l->cancel();
  EXPECT_FALSE(registry->has_listeners(1));
  registry->notify(1, 0);
  EXPECT_EQ(calls, 1);
}

TEST(Registry, ListenerCancelledBeforeAddIsNotKept) {
  auto registry = std::make_shared<Registry<int>>();
  auto l = std::make_shared<IntListener>([](const int&) {});
  l->cancel();  // the client dropped its subscription before the actor got to it
  registry->add(1, l);
  EXPECT_FALSE(registry->has_listeners(1));
  EXPECT_EQ(l.use_count(), 1);  // the registry holds no reference
}

TEST(RecentSet, RefusesRepeatsOfItsLastNAndForgetsOlderOnes) {
  RecentSet seen(2);
  EXPECT_TRUE(seen.insert("a"));
  EXPECT_FALSE(seen.insert("a"));
  EXPECT_TRUE(seen.insert("b"));
  EXPECT_TRUE(seen.insert("c"));  // "a" falls out
  EXPECT_FALSE(seen.insert("b"));
  EXPECT_TRUE(seen.insert("a"));
}

}  // namespace
}  // namespace glimpse::actors
